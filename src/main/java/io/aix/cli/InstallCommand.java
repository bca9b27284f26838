package io.aix.cli;

import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmCallException;
import io.aix.connector.InstallFinding;
import io.aix.connector.hubspot.HubSpotAppInstaller;
import io.aix.mapping.MappingProfile;
import io.aix.profile.ConfigException;
import io.aix.profile.CrmProfile;
import io.aix.profile.LiveCatalog;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./aix install check}: what each CRM lacks for AIX, field by field, with the fix. {@code
 * ./aix install hubspot}: installs a profile's HubSpot public app in a portal (OAuth).
 */
@Command(
    name = "install",
    mixinStandardHelpOptions = true,
    description =
        "CRM installs: check what an org or portal has and lacks for AIX; install AIX's HubSpot"
            + " app in a portal.",
    subcommands = {InstallCommand.Check.class, InstallCommand.Hubspot.class})
public class InstallCommand {

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Connects to the CRM of each profile (or the ones named) and reports, field by field"
              + " and permission by permission, what is present and what is missing, with the"
              + " fix. Read-only. Exit 0 when nothing is missing, 1 otherwise.")
  static class Check implements Callable<Integer> {
    @Option(names = "--profile", description = "CRM profile id; repeat for several (default: all).")
    List<String> profiles = new ArrayList<>();

    @Inject LiveCatalog catalog;
    @Inject ConnectorRegistry connectors;

    @Override
    public Integer call() {
      List<String> ids =
          profiles.isEmpty()
              ? connectors.activeProfiles().stream().map(CrmProfile::id).toList()
              : profiles;
      int missing = 0;
      for (String id : ids) {
        CrmProfile profile = catalog.profiles().get(id);
        if (profile == null) {
          System.out.println(
              id
                  + ": no such profile (profiles: "
                  + String.join(", ", catalog.profiles().keySet())
                  + ")");
          missing++;
          continue;
        }
        Map<String, MappingProfile> mappings = new LinkedHashMap<>();
        profile.objects().forEach(o -> mappings.put(o.name(), catalog.mapping(o.mapping())));
        System.out.println(id + " (" + profile.type() + "):");
        List<InstallFinding> findings;
        try {
          findings = connectors.connector(id).checkInstall(mappings);
        } catch (ConfigException e) {
          // An unset secret, or an OAuth profile not installed yet: its file:line and the fix.
          System.out.println(
              "  MISSING  connection: "
                  + e.getMessage()
                  + "\n           fix: set the secret, or run ./aix install hubspot --profile "
                  + id);
          missing++;
          continue;
        } catch (CrmCallException e) {
          System.out.println(
              "  MISSING  connection: "
                  + e.failure().code()
                  + " "
                  + e.failure().message()
                  + "\n           fix: check the profile's connection and its secrets");
          missing++;
          continue;
        }
        for (InstallFinding f : findings) {
          System.out.printf("  %-8s %s: %s%n", f.ok() ? "ok" : "MISSING", f.item(), f.detail());
          if (!f.ok()) {
            System.out.println("           fix: " + f.fix());
            missing++;
          }
        }
      }
      System.out.println(
          missing == 0 ? "all present" : missing + " missing; fix them and run this again");
      return missing == 0 ? 0 : 1;
    }
  }

  @Command(
      name = "hubspot",
      mixinStandardHelpOptions = true,
      description = {
        "Installs the profile's HubSpot public app in a portal with HubSpot's OAuth 2.0"
            + " authorization-code flow, and binds the profile to that portal.",
        "",
        "Prints (and, with a desktop, opens) HubSpot's authorize URL: the app's client id, the"
            + " scopes AIX needs (oauth, crm.objects.contacts.read/write,"
            + " crm.schemas.contacts.read/write), a random state and the redirect URL"
            + " http://localhost:PORT/oauth-callback, which must be registered in the app's Auth"
            + " settings. After you connect the app, HubSpot redirects the browser to that URL;"
            + " AIX checks the state, exchanges the code for tokens, asks HubSpot which portal"
            + " they are for, and keeps the refresh token sealed (AES-GCM, AIX_SECRET_KEYS) in"
            + " PostgreSQL under the profile id, with the portal id. The profile then needs no"
            + " refreshToken. Last it prints the portal id line for the profile file.",
        "",
        "The profile needs connection.auth.flow: oauth with clientId and clientSecret references."
            + " Exit 0 when installed, 1 when the install failed (nothing is stored), 2 on an"
            + " unknown profile or a bad option."
      })
  static class Hubspot implements Callable<Integer> {
    @Option(names = "--profile", required = true, description = "The HubSpot profile's id.")
    String profile;

    @Option(
        names = "--port",
        defaultValue = "" + HubSpotAppInstaller.DEFAULT_PORT,
        description =
            "Loopback port of the redirect URL http://localhost:PORT/oauth-callback"
                + " (default: ${DEFAULT-VALUE}; register the URL in the app's Auth settings).")
    int port;

    @Option(
        names = "--timeout",
        defaultValue = "5m",
        converter = DurationConverter.class,
        description = "How long to wait for the browser's redirect, like 90s or 5m (default: 5m).")
    Duration timeout;

    @Option(
        names = "--no-browser",
        description = "Only print the URL; do not open a browser (over SSH, in scripts).")
    boolean noBrowser;

    @Option(
        names = "--rebind",
        description =
            "Allow binding the profile to another portal than the one it is bound to (refused"
                + " otherwise: AIX's leads of a profile are one portal's).")
    boolean rebind;

    @Option(
        names = "--authorize-url",
        description =
            "HubSpot's authorize page (default: "
                + HubSpotAppInstaller.AUTHORIZE_URL
                + "; the embedded sandbox serves its own).")
    String authorizeUrl;

    @Spec CommandSpec spec;
    @Inject LiveCatalog catalog;
    @Inject HubSpotAppInstaller installer;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      CrmProfile p = catalog.profiles().get(profile);
      if (p == null) {
        err.println(
            "aix: no profile "
                + profile
                + " (profiles: "
                + String.join(", ", catalog.profiles().keySet())
                + ")");
        return 2;
      }
      if (port < 1 || port > 65_535) {
        err.println("aix: --port must be 1 to 65535, not " + port);
        return 2;
      }
      try {
        HubSpotAppInstaller.Bound bound =
            installer.install(
                p,
                new HubSpotAppInstaller.Options(port, timeout, authorizeUrl, rebind),
                out,
                url -> !noBrowser && DesktopBrowser.open(url));
        out.println();
        out.println(
            "Installed: profile "
                + p.id()
                + " is bound to HubSpot portal "
                + bound.portalId()
                + " (scopes: "
                + String.join(" ", bound.scopes())
                + ").");
        out.println(
            "The refresh token is sealed in AIX's token vault; the profile needs no refreshToken.");
        out.println("Put this in " + p.file() + ":");
        out.println();
        out.println("  connection:");
        out.println("    portalId: " + bound.portalId());
        out.println();
        out.println("Then check the portal: ./aix install check --profile " + p.id());
        out.flush();
        return 0;
      } catch (HubSpotAppInstaller.InstallFailed e) {
        out.flush();
        err.println("aix: install failed: " + e.getMessage());
        return 1;
      }
    }
  }

  /** Durations as profiles write them: 90s, 5m, 1h. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(s|m|h)");

    @Override
    public Duration convert(String value) {
      Matcher m = DURATION.matcher(value);
      if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration like 90s, 5m or 1h");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
  }
}

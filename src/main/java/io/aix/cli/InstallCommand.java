package io.aix.cli;

import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmCallException;
import io.aix.connector.InstallFinding;
import io.aix.mapping.MappingProfile;
import io.aix.profile.CrmProfile;
import io.aix.profile.LiveCatalog;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./aix install check}: what each CRM lacks for AIX, field by field, with the fix. */
@Command(
    name = "install",
    mixinStandardHelpOptions = true,
    description = "CRM installs: check what an org or portal has and lacks for AIX.",
    subcommands = {InstallCommand.Check.class})
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
}

package io.aix.profile;

import io.aix.profile.CrmProfile.Auth;
import io.aix.profile.CrmProfile.Connection;
import io.aix.profile.CrmProfile.Limits;
import io.aix.profile.CrmProfile.ObjectSync;
import io.aix.profile.CrmProfile.Writeback;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates one CRM profile file; every problem is reported as {@code file:line: ...}.
 */
public final class ProfileLoader {
  /** Connector types this build knows. A new CRM adds its name here and a package in connector/. */
  public static final Set<String> TYPES = Set.of("salesforce");

  /** The AIX fields on Salesforce Lead and Contact (ARCHITECTURE.md contract). */
  public static final List<String> SALESFORCE_FIELDS =
      List.of(
          "AIX_Score__c",
          "AIX_Grade__c",
          "AIX_Conversion_Probability__c",
          "AIX_Fit_Score__c",
          "AIX_Engagement_Score__c",
          "AIX_Top_Factors__c",
          "AIX_Scored_At__c",
          "AIX_Model_Version__c");

  private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{1,62}");
  private static final Pattern API_VERSION = Pattern.compile("\\d{2}\\.0");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]*");

  private ProfileLoader() {}

  public static CrmProfile load(ConfigNode doc) {
    doc.allowOnly(
        Set.of(
            "id",
            "type",
            "description",
            "connection",
            "objects",
            "writeback",
            "scoring",
            "limits"));
    String id = doc.string("id");
    if (!ID.matcher(id).matches()) {
      throw doc.get("id")
          .error("'" + id + "' is not a valid profile id (lower-case letters, digits and '-')");
    }
    String type = doc.string("type");
    if (!TYPES.contains(type)) {
      throw doc.get("type")
          .error("unknown CRM type '" + type + "' (known: " + String.join(", ", TYPES) + ")");
    }
    Connection connection = connection(doc.get("connection"));
    List<ObjectSync> objects = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigNode o : doc.get("objects").list()) {
      ObjectSync sync = objectSync(o);
      if (!names.add(sync.name())) {
        throw o.error("object '" + sync.name() + "' is listed twice");
      }
      objects.add(sync);
    }
    if (objects.isEmpty()) {
      throw doc.get("objects").error("a profile needs at least one object");
    }
    Writeback writeback = writeback(doc.opt("writeback").orElse(null));
    int budget =
        doc.opt("limits")
            .map(
                l ->
                    l.allowOnly(Set.of("dailyApiBudget"))
                        .integer("dailyApiBudget", 5000, 1, 10_000_000))
            .orElse(5000);
    return new CrmProfile(
        id,
        type,
        doc.file(),
        connection,
        List.copyOf(objects),
        writeback,
        doc.string("scoring", "default-rules"),
        new Limits(budget));
  }

  private static Connection connection(ConfigNode c) {
    c.allowOnly(Set.of("loginUrl", "apiVersion", "auth"));
    String loginUrl = c.string("loginUrl");
    if (!loginUrl.equals(Connection.SANDBOX) && !loginUrl.startsWith("https://")) {
      throw c.get("loginUrl")
          .error(
              "loginUrl must be 'sandbox' or an https:// URL such as https://login.salesforce.com");
    }
    String apiVersion = c.string("apiVersion", "62.0");
    if (!API_VERSION.matcher(apiVersion).matches()) {
      throw c.get("apiVersion").error("apiVersion must look like 62.0, not '" + apiVersion + "'");
    }
    return new Connection(loginUrl, apiVersion, auth(c.get("auth")), c.line());
  }

  private static Auth auth(ConfigNode a) {
    String flow = a.string("flow");
    return switch (flow) {
      case "jwt" -> {
        a.allowOnly(
            Set.of("flow", "clientId", "username", "keystore", "keystorePassword", "audience"));
        yield new Auth.Jwt(
            secret(a, "clientId"),
            secret(a, "username"),
            secret(a, "keystore"),
            secret(a, "keystorePassword"),
            a.optString("audience").orElse(null));
      }
      case "client-credentials" -> {
        a.allowOnly(Set.of("flow", "clientId", "clientSecret"));
        yield new Auth.ClientCredentials(secret(a, "clientId"), secret(a, "clientSecret"));
      }
      default ->
          throw a.get("flow")
              .error("unknown auth flow '" + flow + "' (expected jwt or client-credentials)");
    };
  }

  /** Secrets are references: {@code { env: NAME }}. A literal value is refused outright. */
  private static SecretRef secret(ConfigNode parent, String key) {
    ConfigNode node = parent.get(key);
    if (!node.isMap()) {
      throw node.error(
          "'"
              + key
              + "' must be a reference like { env: AIX_SF_CLIENT_ID }; profiles never hold secrets");
    }
    node.allowOnly(Set.of("env"));
    String env = node.string("env");
    if (!ENV_NAME.matcher(env).matches()) {
      throw node.get("env").error("'" + env + "' is not an environment variable name");
    }
    return new SecretRef(env, node.file(), node.line());
  }

  private static ObjectSync objectSync(ConfigNode o) {
    o.allowOnly(Set.of("name", "mapping", "every", "overlap", "pageSize"));
    Duration every = o.duration("every", Duration.ofSeconds(30));
    if (every.compareTo(Duration.ofSeconds(1)) < 0) {
      throw o.get("every").error("'every' must be at least 1s");
    }
    return new ObjectSync(
        o.string("name"),
        o.string("mapping"),
        every,
        o.duration("overlap", Duration.ofMinutes(2)),
        o.integer("pageSize", 2000, 200, 2000),
        o.line());
  }

  private static Writeback writeback(ConfigNode w) {
    if (w == null) {
      return new Writeback(true, 200, SALESFORCE_FIELDS);
    }
    w.allowOnly(Set.of("enabled", "batchSize", "fields"));
    List<String> fields = w.has("fields") ? w.stringList("fields") : SALESFORCE_FIELDS;
    for (ConfigNode f : w.list("fields")) {
      if (!SALESFORCE_FIELDS.contains(f.text().trim())) {
        throw f.error(
            "'"
                + f.text().trim()
                + "' is not an AIX field (known: "
                + String.join(", ", SALESFORCE_FIELDS)
                + ")");
      }
    }
    return new Writeback(w.bool("enabled", true), w.integer("batchSize", 200, 1, 200), fields);
  }
}

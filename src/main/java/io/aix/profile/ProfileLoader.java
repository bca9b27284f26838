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
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates one CRM profile file; every problem is reported as {@code file:line: ...}.
 */
public final class ProfileLoader {
  /** Connector types this build knows. A new CRM adds its name here and a package in connector/. */
  public static final Set<String> TYPES = Set.of("salesforce", "hubspot");

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
          "AIX_Model_Version__c",
          "AIX_Signals__c");

  /** The AIX properties on HubSpot contacts, in the property group {@code aix}. */
  public static final List<String> HUBSPOT_PROPERTIES =
      List.of(
          "aix_score",
          "aix_grade",
          "aix_conversion_probability",
          "aix_fit_score",
          "aix_engagement_score",
          "aix_top_factors",
          "aix_scored_at",
          "aix_model_version",
          "aix_signals");

  /** The AIX fields of a CRM type, in contract order. */
  public static List<String> aixFields(String type) {
    return type.equals("hubspot") ? HUBSPOT_PROPERTIES : SALESFORCE_FIELDS;
  }

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
            "dryRun",
            "scoring",
            "limits",
            "webhooks",
            "tasks",
            "model",
            "privacy"));
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
    boolean hubspot = type.equals("hubspot");
    Connection connection =
        hubspot ? hubspotConnection(doc.get("connection")) : connection(doc.get("connection"));
    List<ObjectSync> objects = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigNode o : doc.get("objects").list()) {
      ObjectSync sync = objectSync(o, hubspot);
      if (!names.add(sync.name())) {
        throw o.error("object '" + sync.name() + "' is listed twice");
      }
      objects.add(sync);
    }
    if (objects.isEmpty()) {
      throw doc.get("objects").error("a profile needs at least one object");
    }
    Writeback writeback = writeback(doc.opt("writeback").orElse(null), type);
    if (doc.bool("dryRun", false)) {
      writeback =
          new Writeback(writeback.enabled(), writeback.batchSize(), writeback.fields(), true);
    }
    Optional<CrmProfile.Webhooks> webhooks = doc.opt("webhooks").map(ProfileLoader::webhooks);
    if (webhooks.isPresent() && !hubspot) {
      throw doc.get("webhooks").error("webhooks are a HubSpot setting; Salesforce pushes via CDC");
    }
    if (webhooks.isPresent() && connection.portalId() == null) {
      throw doc.get("webhooks")
          .error(
              "webhooks need connection.portalId: a HubSpot app has one webhook URL for every"
                  + " portal it is installed in, and AIX routes each event by its portalId (the"
                  + " Hub ID, shown in HubSpot under your account name, or printed by ./aix"
                  + " install hubspot)");
    }
    CrmProfile.Tasks tasks =
        doc.opt("tasks").map(ProfileLoader::tasks).orElse(CrmProfile.Tasks.OFF);
    Limits limits =
        doc.opt("limits")
            .map(
                l ->
                    l.allowOnly(Set.of("dailyApiBudget", "bulkAbove"))
                        .integer("dailyApiBudget", 5000, 1, 10_000_000))
            .map(
                b ->
                    new Limits(
                        b,
                        doc.opt("limits")
                            .map(
                                l ->
                                    l.integer(
                                        "bulkAbove", Limits.DEFAULT_BULK_ABOVE, 200, 100_000_000))
                            .orElse(Limits.DEFAULT_BULK_ABOVE)))
            .orElse(new Limits(5000));
    return new CrmProfile(
        id,
        type,
        doc.file(),
        connection,
        List.copyOf(objects),
        writeback,
        doc.string("scoring", "default-rules"),
        limits,
        webhooks,
        tasks,
        doc.opt("model").map(ProfileLoader::model).orElse(CrmProfile.ModelSettings.DEFAULT),
        doc.opt("privacy").map(ProfileLoader::privacy).orElse(CrmProfile.Privacy.DEFAULT));
  }

  private static CrmProfile.Privacy privacy(ConfigNode p) {
    p.allowOnly(Set.of("retention", "eraseInCrm"));
    Optional<Duration> retention = Optional.empty();
    if (p.has("retention")) {
      Duration d = p.duration("retention", null);
      if (d.compareTo(Duration.ofDays(1)) < 0) {
        throw p.get("retention")
            .error("a retention shorter than a day would purge leads still being worked on");
      }
      retention = Optional.of(d);
    }
    return new CrmProfile.Privacy(retention, p.bool("eraseInCrm", false));
  }

  private static CrmProfile.ModelSettings model(ConfigNode m) {
    m.allowOnly(Set.of("retrain", "minLeads", "minConversions", "feedback", "minFeedback"));
    String feedback = m.string("feedback", CrmProfile.ModelSettings.DEFAULT.feedback());
    if (!Set.of("learn", "ignore").contains(feedback)) {
      throw m.get("feedback")
          .error("feedback is learn (reps' verdicts weigh in training) or ignore, not " + feedback);
    }
    String retrain = m.string("retrain", CrmProfile.ModelSettings.DEFAULT.retrain());
    if (!retrain.equals("off")) {
      try {
        new com.cronutils.parser.CronParser(
                com.cronutils.model.definition.CronDefinitionBuilder.instanceDefinitionFor(
                    com.cronutils.model.CronType.QUARTZ))
            .parse(retrain)
            .validate();
      } catch (IllegalArgumentException e) {
        throw m.get("retrain")
            .error(
                "retrain must be a Quartz cron expression such as '0 0 3 ? * SUN' (Sundays at"
                    + " 03:00), or off: "
                    + e.getMessage());
      }
    }
    return new CrmProfile.ModelSettings(
        retrain,
        m.integer("minLeads", 1000, 50, 100_000_000),
        m.integer("minConversions", 120, 10, 100_000_000),
        feedback,
        m.integer("minFeedback", 20, 1, 1_000_000),
        m.line());
  }

  private static Connection hubspotConnection(ConfigNode c) {
    c.allowOnly(Set.of("baseUrl", "auth", "portalId"));
    String baseUrl = c.string("baseUrl", "https://api.hubapi.com");
    if (!baseUrl.equals(Connection.SANDBOX) && !baseUrl.startsWith("https://")) {
      throw c.get("baseUrl")
          .error("baseUrl must be 'sandbox' or an https:// URL such as https://api.hubapi.com");
    }
    ConfigNode a = c.get("auth");
    String flow = a.string("flow");
    CrmProfile.Auth auth =
        switch (flow) {
          case "private-app" -> {
            a.allowOnly(Set.of("flow", "token"));
            yield new CrmProfile.Auth.PrivateApp(secret(a, "token"));
          }
          case "oauth" -> {
            a.allowOnly(Set.of("flow", "clientId", "clientSecret", "refreshToken"));
            // No refreshToken: `./aix install hubspot` seals one in the vault (HubSpotAuth says so
            // with this file:line when it finds none).
            yield new CrmProfile.Auth.OAuthRefresh(
                secret(a, "clientId"),
                secret(a, "clientSecret"),
                a.has("refreshToken") ? Optional.of(secret(a, "refreshToken")) : Optional.empty());
          }
          default ->
              throw a.get("flow")
                  .error("unknown auth flow '" + flow + "' (expected private-app or oauth)");
        };
    Long portalId = c.has("portalId") ? hubSpotId(c.get("portalId"), "portalId", "Hub ID") : null;
    return new Connection(baseUrl, null, auth, c.line(), portalId);
  }

  /** A HubSpot portal (Hub ID) or app id: a positive whole number, as HubSpot's events carry. */
  private static Long hubSpotId(ConfigNode node, String key, String what) {
    String text = node.text().trim();
    if (!text.matches("[1-9][0-9]{0,17}")) {
      throw node.error(
          key
              + " must be the "
              + what
              + ", a positive whole number such as 62515, not '"
              + text
              + "'");
    }
    return Long.parseLong(text);
  }

  private static CrmProfile.Webhooks webhooks(ConfigNode w) {
    w.allowOnly(Set.of("clientSecret", "publicUrl", "appId", "developerApiKey"));
    Optional<String> publicUrl = w.optString("publicUrl");
    if (publicUrl.isPresent() && !publicUrl.get().matches("https?://[^/?#]+(/[^?#]*)?")) {
      throw w.get("publicUrl")
          .error("publicUrl must be the base URL HubSpot calls, like https://aix.example.com");
    }
    return new CrmProfile.Webhooks(
        secret(w, "clientSecret"),
        publicUrl.map(u -> u.replaceAll("/+$", "")),
        w.has("appId")
            ? Optional.of(hubSpotId(w.get("appId"), "appId", "app's id"))
            : Optional.empty(),
        w.has("developerApiKey") ? Optional.of(secret(w, "developerApiKey")) : Optional.empty());
  }

  private static final Pattern RULE_ID = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  private static CrmProfile.Tasks tasks(ConfigNode t) {
    t.allowOnly(Set.of("enabled", "whenGrade", "subject", "dueIn", "rules"));
    String subject = subject(t, "Hot lead: follow up");
    List<CrmProfile.HotRule> rules = new ArrayList<>();
    Set<String> ids = new java.util.HashSet<>();
    // whenGrade alone is the rule "hot" (and the default when no rule is given).
    if (t.has("whenGrade") || !t.has("rules")) {
      rules.add(
          new CrmProfile.HotRule(CrmProfile.HotRule.GRADE_RULE, grade(t), 0, Duration.ZERO, null));
      ids.add(CrmProfile.HotRule.GRADE_RULE);
    }
    if (t.has("rules")) {
      for (ConfigNode r : t.list("rules")) {
        r.allowOnly(Set.of("id", "whenGrade", "engagementRises", "within", "subject"));
        String id = r.string("id");
        if (!RULE_ID.matcher(id).matches()) {
          throw r.get("id")
              .error(
                  "rule id must be lower-case letters, digits and '-', at most 32, not '"
                      + id
                      + "'");
        }
        if (!ids.add(id)) {
          throw r.get("id").error("rule id '" + id + "' is used twice");
        }
        String ruleSubject = r.has("subject") ? subject(r, null) : null;
        if (r.has("whenGrade") == r.has("engagementRises")) {
          throw (r.has("engagementRises") ? r.get("engagementRises") : r.get("id"))
              .error(
                  "a rule has either whenGrade (the lead reaches a grade) or engagementRises with"
                      + " within (engagement rises that many points within that time)");
        }
        if (r.has("whenGrade")) {
          if (r.has("within")) {
            throw r.get("within").error("within goes with engagementRises, not whenGrade");
          }
          rules.add(new CrmProfile.HotRule(id, grade(r), 0, Duration.ZERO, ruleSubject));
        } else {
          int rise = r.integer("engagementRises", 0, 1, 100);
          if (!r.has("within")) {
            throw r.get("engagementRises").error("engagementRises needs within, e.g. within: 24h");
          }
          Duration within = r.duration("within", Duration.ofDays(1));
          if (within.compareTo(Duration.ofMinutes(5)) < 0
              || within.compareTo(Duration.ofDays(30)) > 0) {
            throw r.get("within").error("within must be between 5m and 30d");
          }
          rules.add(new CrmProfile.HotRule(id, null, rise, within, ruleSubject));
        }
      }
    }
    return new CrmProfile.Tasks(
        t.bool("enabled", true), rules, subject, t.duration("dueIn", Duration.ofDays(1)));
  }

  private static String grade(ConfigNode t) {
    String grade = t.string("whenGrade", "A");
    if (!grade.matches("[A-D]")) {
      throw t.get("whenGrade").error("whenGrade must be one of A, B, C, D");
    }
    return grade;
  }

  private static String subject(ConfigNode t, String fallback) {
    String subject = t.string("subject", fallback);
    if (subject != null && subject.length() > 255) {
      throw t.get("subject").error("subject is longer than 255 characters");
    }
    return subject;
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

  private static ObjectSync objectSync(ConfigNode o, boolean hubspot) {
    o.allowOnly(
        Set.of(
            "name", "mapping", "every", "overlap", "pageSize", "changes", "channel", "activity"));
    String changes = o.string("changes", "poll");
    if (!Set.of("poll", "cdc").contains(changes)) {
      throw o.get("changes")
          .error("changes is poll (read changed records every 'every') or cdc, not " + changes);
    }
    if (changes.equals("cdc") && hubspot) {
      throw o.get("changes")
          .error(
              "changes: cdc is Salesforce Change Data Capture; HubSpot pushes changes through"
                  + " webhooks (set webhooks: in the profile)");
    }
    String channel = null;
    if (o.has("channel")) {
      if (!changes.equals("cdc")) {
        throw o.get("channel")
            .error("channel is where Change Data Capture events come from: set changes: cdc too");
      }
      channel = o.string("channel");
      if (!CUSTOM_CHANNEL.matcher(channel).matches()) {
        throw o.get("channel")
            .error(
                "channel is a custom change event channel named <Name>__chn (say AIX_"
                    + o.string("name")
                    + "__chn, made as the README says), not '"
                    + channel
                    + "'");
      }
    }
    Duration every = o.duration("every", Duration.ofSeconds(30));
    if (every.compareTo(Duration.ofSeconds(1)) < 0) {
      throw o.get("every").error("'every' must be at least 1s");
    }
    Optional<Duration> activity = Optional.empty();
    if (o.has("activity")) {
      if (hubspot) {
        throw o.get("activity")
            .error(
                "activity is read from Salesforce (Tasks, campaign responses); HubSpot's engagement"
                    + " comes with the contact (signals: in its mapping)");
      }
      Duration a = o.duration("activity", null);
      if (a.compareTo(Duration.ofSeconds(10)) < 0) {
        throw o.get("activity").error("'activity' must be at least 10s");
      }
      activity = Optional.of(a);
    }
    return new ObjectSync(
        o.string("name"),
        o.string("mapping"),
        every,
        o.duration("overlap", Duration.ofMinutes(2)),
        hubspot ? o.integer("pageSize", 200, 1, 200) : o.integer("pageSize", 2000, 200, 2000),
        o.line(),
        changes.equals("cdc"),
        activity,
        channel);
  }

  /** A custom Change Data Capture channel: PlatformEventChannel's FullName, {@code <Name>__chn}. */
  private static final Pattern CUSTOM_CHANNEL = Pattern.compile("[A-Za-z][A-Za-z0-9_]*__chn");

  private static Writeback writeback(ConfigNode w, String type) {
    List<String> known = aixFields(type);
    int maxBatch = type.equals("hubspot") ? 100 : 200;
    if (w == null) {
      return new Writeback(true, maxBatch, known);
    }
    w.allowOnly(Set.of("enabled", "batchSize", "fields"));
    List<String> fields = w.has("fields") ? w.stringList("fields") : known;
    for (ConfigNode f : w.list("fields")) {
      if (!known.contains(f.text().trim())) {
        throw f.error(
            "'"
                + f.text().trim()
                + "' is not an AIX field (known: "
                + String.join(", ", known)
                + ")");
      }
    }
    return new Writeback(
        w.bool("enabled", true), w.integer("batchSize", maxBatch, 1, maxBatch), fields);
  }
}

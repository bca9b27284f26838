package io.aix.profile;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One connected CRM, as an admin describes it in {@code crm-profiles/<id>.yaml}. Holds secret
 * references only.
 *
 * @param type the connector type, which picks the package under {@code io.aix.connector}
 * @param scoringProfile id of a file in {@code crm-profiles/scoring/}
 */
public record CrmProfile(
    String id,
    String type,
    String file,
    Connection connection,
    List<ObjectSync> objects,
    Writeback writeback,
    String scoringProfile,
    Limits limits,
    Optional<Webhooks> webhooks,
    Tasks tasks,
    ModelSettings model,
    Privacy privacy) {

  /**
   * Data protection for this CRM's people.
   *
   * @param retention leads unchanged in the CRM for this long are purged from AIX with their
   *     scores, tasks, dead letters and queue rows, and score history older than this is dropped
   *     (the current score stays); empty keeps everything
   * @param eraseInCrm an erasure request that asks to propagate also erases the person's records in
   *     this CRM (HubSpot's GDPR delete; a Salesforce delete)
   */
  public record Privacy(Optional<Duration> retention, boolean eraseInCrm) {
    public static final Privacy DEFAULT = new Privacy(Optional.empty(), false);
  }

  /**
   * Predictive scoring: when to re-train, and how much history a model needs before it may replace
   * the rules scorer.
   *
   * @param retrain a Quartz cron expression, or {@code off}
   * @param feedback {@code learn} (reps' verdicts weigh in training and promotion) or {@code
   *     ignore} (stored and shown only)
   * @param minFeedback verdicts needed before they may stop a promotion
   */
  public record ModelSettings(
      String retrain,
      int minLeads,
      int minConversions,
      String feedback,
      int minFeedback,
      int line) {
    public static final ModelSettings DEFAULT =
        new ModelSettings("0 0 3 ? * SUN", 1000, 120, "learn", 20, 0);

    /** Reps' verdicts weigh in training and in the promotion decision (see ModelTrainer). */
    public boolean learnsFromFeedback() {
      return feedback.equals("learn");
    }
  }

  /**
   * Where and how to reach the CRM. {@code sandbox} as the URL means the embedded sandbox.
   *
   * @param loginUrl the OAuth login host (Salesforce {@code loginUrl}) or the API base URL (HubSpot
   *     {@code baseUrl})
   * @param apiVersion Salesforce REST API version; null for HubSpot, whose paths carry it
   * @param portalId the HubSpot portal (Hub ID) this profile is installed in; HubSpot's events
   *     carry it and are routed by it; null for other CRMs, or a HubSpot profile without webhooks
   *     that has not declared it
   */
  public record Connection(String loginUrl, String apiVersion, Auth auth, int line, Long portalId) {
    public static final String SANDBOX = "sandbox";

    public Connection(String loginUrl, String apiVersion, Auth auth, int line) {
      this(loginUrl, apiVersion, auth, line, null);
    }

    public boolean usesSandbox() {
      return SANDBOX.equals(loginUrl);
    }
  }

  /** How AIX authenticates; a closed set of flows. */
  public sealed interface Auth {

    /**
     * OAuth 2.0 JWT bearer flow: the production choice for Salesforce (no stored password).
     *
     * @param keystore a base64-encoded PKCS12 keystore holding the one private key whose
     *     certificate is uploaded to the connected app
     */
    record Jwt(
        SecretRef clientId,
        SecretRef username,
        SecretRef keystore,
        SecretRef keystorePassword,
        String audience)
        implements Auth {}

    /** OAuth 2.0 client credentials flow, with a run-as user configured on the connected app. */
    record ClientCredentials(SecretRef clientId, SecretRef clientSecret) implements Auth {}

    /** HubSpot private app: one static access token. */
    record PrivateApp(SecretRef token) implements Auth {}

    /**
     * HubSpot public app (OAuth): a refresh token exchanged for 30-minute access tokens, renewed
     * ahead of their {@code expires_in}.
     *
     * @param refreshToken empty when {@code ./aix install hubspot} obtained one and sealed it in
     *     the token vault; the connector then fails at first use, naming the profile's file and
     *     line, if the vault holds none
     */
    record OAuthRefresh(
        SecretRef clientId, SecretRef clientSecret, Optional<SecretRef> refreshToken)
        implements Auth {
      public OAuthRefresh(SecretRef clientId, SecretRef clientSecret, SecretRef refreshToken) {
        this(clientId, clientSecret, Optional.of(refreshToken));
      }
    }
  }

  /**
   * Where the CRM pushes changes (HubSpot webhooks).
   *
   * @param clientSecret the app's client secret, which signs every delivery (signature v3)
   * @param publicUrl the externally visible base URL HubSpot calls, when AIX runs behind a proxy;
   *     the signature covers the full URL as HubSpot sent it
   * @param appId the HubSpot app's id, whose event subscriptions {@code install check} reads
   * @param developerApiKey the developer account's API key that the webhooks API takes ({@code
   *     hapikey}); without it the subscriptions cannot be checked
   */
  public record Webhooks(
      SecretRef clientSecret,
      Optional<String> publicUrl,
      Optional<Long> appId,
      Optional<SecretRef> developerApiKey) {

    public Webhooks(SecretRef clientSecret, Optional<String> publicUrl) {
      this(clientSecret, publicUrl, Optional.empty(), Optional.empty());
    }
  }

  /**
   * Tasks for the lead's owner when a lead turns hot, by the profile's hot-lead rules: at most one
   * open AIX task per lead and rule.
   *
   * @param subject the task subject, unless a rule has its own
   * @param dueIn how long the rep has, from the moment the lead turned hot
   */
  public record Tasks(boolean enabled, List<HotRule> rules, String subject, Duration dueIn) {
    public static final Tasks OFF = new Tasks(false, List.of(), "", Duration.ofDays(1));

    public Tasks {
      rules = List.copyOf(rules);
    }

    /** The grade of the first grade rule, or null when no rule is by grade. */
    public String grade() {
      return rules.stream()
          .map(HotRule::grade)
          .filter(java.util.Objects::nonNull)
          .findFirst()
          .orElse(null);
    }
  }

  /**
   * One hot-lead rule: the lead's grade reaches {@code grade} (or better), or its engagement rose
   * by at least {@code engagementRise} points (0-100 scale) through signals of the last {@code
   * within}. A lead for which the rule no longer holds cools down, and its next turn creates a new
   * task.
   *
   * @param id names the rule in tasks and in AIX's task table (the task kind)
   * @param grade A-D for a grade rule, null for an engagement rule
   * @param subject this rule's task subject, or null for the profile's
   */
  public record HotRule(
      String id, String grade, int engagementRise, Duration within, String subject) {
    /** The id of the rule that {@code whenGrade} alone makes (tasks made before rules existed). */
    public static final String GRADE_RULE = "hot";
  }

  /**
   * One CRM object that AIX reads.
   *
   * @param every how often the leader polls
   * @param overlap how far before the stored watermark each poll starts, to catch records whose
   *     modification stamp was committed late; re-read records are de-duplicated by id and stamp
   * @param pageSize records per query page (Salesforce accepts 200 to 2,000, HubSpot 1 to 200)
   * @param changeEvents {@code changes: cdc}: changes arrive as Salesforce Change Data Capture
   *     events within a second; the poll every {@code every} is then the safety net
   * @param activity how often the CRM's activity records on this object's records (Salesforce:
   *     completed calls and meetings, campaign responses) are read as engagement signals; empty:
   *     not read
   * @param channel the custom change event channel ({@code <Name>__chn}) the object's change events
   *     are read from, whose filter leaves out AIX's own writes; null: the standard channel {@code
   *     <Object>ChangeEvent}, which delivers every change, AIX's echoes included
   */
  public record ObjectSync(
      String name,
      String mapping,
      Duration every,
      Duration overlap,
      int pageSize,
      int line,
      boolean changeEvents,
      Optional<Duration> activity,
      String channel) {
    public ObjectSync(
        String name, String mapping, Duration every, Duration overlap, int pageSize, int line) {
      this(name, mapping, every, overlap, pageSize, line, false, Optional.empty(), null);
    }

    public ObjectSync(
        String name,
        String mapping,
        Duration every,
        Duration overlap,
        int pageSize,
        int line,
        boolean changeEvents,
        Optional<Duration> activity) {
      this(name, mapping, every, overlap, pageSize, line, changeEvents, activity, null);
    }

    /** The channel change events come from, without {@code /data/}. */
    public String changeChannel() {
      return channel != null ? channel : name + "ChangeEvent";
    }
  }

  /**
   * What AIX writes back, and in what batches. In a dry run ({@code dryRun: true} in the profile)
   * AIX scores and records what it would write and which tasks it would create, and calls no write
   * API.
   */
  public record Writeback(boolean enabled, int batchSize, List<String> fields, boolean dryRun) {
    public Writeback(boolean enabled, int batchSize, List<String> fields) {
      this(enabled, batchSize, fields, false);
    }

    public Writeback withDryRun(boolean on) {
      return new Writeback(enabled, batchSize, fields, on);
    }
  }

  /**
   * API budget: AIX stops before spending more than this per day.
   *
   * @param bulkAbove records over which a read or a write goes through the CRM's bulk API
   *     (Salesforce Bulk API 2.0): a backfill or catch-up poll that finds more changed records, and
   *     the writeback while the work queue holds more records than this. Below it, the REST path.
   */
  public record Limits(int dailyApiBudget, int bulkAbove) {
    public static final int DEFAULT_BULK_ABOVE = 10_000;

    public Limits(int dailyApiBudget) {
      this(dailyApiBudget, DEFAULT_BULK_ABOVE);
    }
  }

  public Optional<ObjectSync> object(String name) {
    return objects.stream().filter(o -> o.name().equals(name)).findFirst();
  }
}

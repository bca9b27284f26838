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
    Limits limits) {

  /** Where and how to reach the CRM. {@code loginUrl: sandbox} means the embedded sandbox org. */
  public record Connection(String loginUrl, String apiVersion, Auth auth, int line) {
    public static final String SANDBOX = "sandbox";

    public boolean usesSandbox() {
      return SANDBOX.equals(loginUrl);
    }
  }

  /** How AIX authenticates; a closed set of flows. */
  public sealed interface Auth {
    SecretRef clientId();

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
  }

  /**
   * One CRM object that AIX reads.
   *
   * @param every how often the leader polls
   * @param overlap how far before the stored watermark each poll starts, to catch records whose
   *     modification stamp was committed late; re-read records are de-duplicated by id and stamp
   * @param pageSize records per query page (Salesforce accepts 200 to 2,000)
   */
  public record ObjectSync(
      String name, String mapping, Duration every, Duration overlap, int pageSize, int line) {}

  /** What AIX writes back, and in what batches. */
  public record Writeback(boolean enabled, int batchSize, List<String> fields) {}

  /** API budget: AIX stops before spending more than this per day. */
  public record Limits(int dailyApiBudget) {}

  public Optional<ObjectSync> object(String name) {
    return objects.stream().filter(o -> o.name().equals(name)).findFirst();
  }
}

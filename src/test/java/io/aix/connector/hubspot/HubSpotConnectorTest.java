package io.aix.connector.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aix.connector.CrmCallException;
import io.aix.connector.CrmConnector;
import io.aix.connector.CrmFailure;
import io.aix.connector.Offset;
import io.aix.connector.PollPage;
import io.aix.lead.CrmRecord;
import io.aix.profile.CrmProfile;
import io.aix.profile.LiveCatalog;
import io.aix.profile.SecretRef;
import io.aix.sandbox.HubSpotPortal;
import io.aix.sandbox.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HubSpot connector on its own, against the sandbox portal: paging, auth, errors. */
@QuarkusTest
class HubSpotConnectorTest {
  @Inject HubSpotConnectorFactory factory;
  @Inject Sandbox sandbox;
  @Inject LiveCatalog catalog;

  HubSpotPortal portal;

  @BeforeEach
  void reset() {
    portal = sandbox.hubspot().portal();
    portal.reset();
  }

  private CrmConnector connector(CrmProfile.Auth auth) {
    return connector(auth, CrmProfile.Limits.DEFAULT_BULK_ABOVE);
  }

  private CrmConnector connector(CrmProfile.Auth auth, int bulkAbove) {
    return factory.create(
        new CrmProfile(
            "hs-test",
            "hubspot",
            "hs-test.yaml",
            new CrmProfile.Connection("sandbox", null, auth, 1),
            List.of(
                new CrmProfile.ObjectSync(
                    "contacts", "hubspot-contact", Duration.ofSeconds(30), Duration.ZERO, 200, 1)),
            new CrmProfile.Writeback(true, 100, List.of("aix_score")),
            "default-rules",
            new CrmProfile.Limits(250_000, bulkAbove),
            Optional.empty(),
            CrmProfile.Tasks.OFF,
            CrmProfile.ModelSettings.DEFAULT,
            CrmProfile.Privacy.DEFAULT));
  }

  private CrmConnector privateApp() {
    return connector(
        new CrmProfile.Auth.PrivateApp(new SecretRef("AIX_DEMO_HS_TOKEN", "hs-test.yaml", 1)));
  }

  /** Runs a whole poll chain; returns how often each record version was seen. */
  private Map<String, Integer> pollAll(CrmConnector connector) {
    Map<String, Integer> seen = new HashMap<>();
    String token = null;
    int pages = 0;
    do {
      PollPage page =
          connector.poll(
              "contacts", catalog.mapping("hubspot-contact"), Offset.Watermark.START, token);
      for (CrmRecord r : page.records()) {
        seen.merge(r.key().crmId(), 1, Integer::sum);
      }
      token = page.nextPageToken();
      assertThat(++pages).as("the chain ends").isLessThan(1_000);
    } while (token != null);
    return seen;
  }

  @Test
  void aBacklogPastTheTenThousandCapIsReadCompletelyWithoutOffsetPaging() {
    Instant base = Instant.now().minus(Duration.ofHours(1));
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_500; i++) {
      String id = portal.createContact(Map.of("email", "c" + i + "@example.com"));
      // A bulk import: 450 contacts share one millisecond, more than two search pages.
      portal.stampContact(
          id, i >= 5_000 && i < 5_450 ? base.plusMillis(5_000) : base.plusMillis(i));
      ids.add(id);
    }

    // The search path itself (above limits.bulkAbove a backfill goes through an export instead).
    Map<String, Integer> seen =
        pollAll(
            connector(
                new CrmProfile.Auth.PrivateApp(
                    new SecretRef("AIX_DEMO_HS_TOKEN", "hs-test.yaml", 1)),
                100_000_000));

    assertThat(seen.keySet()).as("no contact lost").isEqualTo(ids);
    // Re-reads, which the pipeline drops by change key: each page's last stamp is read again by
    // the next query (about 53 pages), and the crowded millisecond's first full page is read
    // again when that millisecond is walked by id (at most 200 more, each seen up to 3 times).
    long repeats = seen.values().stream().filter(n -> n > 1).count();
    assertThat(repeats).as("re-reads stay bounded").isLessThan(53 + 200 + 50);
    assertThat(seen.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(3));
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> searches =
        portal.requests().stream()
            .filter(r -> r.path().endsWith("/search"))
            .map(
                r -> {
                  try {
                    return json.readTree(r.body());
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                })
            .toList();
    assertThat(searches).noneMatch(s -> s.has("after"));
    assertThat(searches)
        .as("the crowded millisecond was walked by hs_object_id")
        .anyMatch(s -> s.path("sorts").get(0).path("propertyName").asText().equals("hs_object_id"));
  }

  @Test
  void changesDuringACycleAreLeftForTheNextCycleNotSkipped() {
    Instant base = Instant.now().minus(Duration.ofMinutes(10));
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 450; i++) {
      String id = portal.createContact(Map.of("email", "d" + i + "@example.com"));
      portal.stampContact(id, base.plusMillis(i * 10L));
      ids.add(id);
    }
    CrmConnector connector = privateApp();
    PollPage first =
        connector.poll(
            "contacts", catalog.mapping("hubspot-contact"), Offset.Watermark.START, null);
    // A user edits contacts of the first page mid-cycle: they move past the window's end.
    for (CrmRecord r : first.records().subList(0, 50)) {
      portal.updateContact(r.key().crmId(), Map.of("jobtitle", "CTO"), "CRM");
    }
    Set<String> seen = new HashSet<>();
    first.records().forEach(r -> seen.add(r.key().crmId()));
    String token = first.nextPageToken();
    while (token != null) {
      PollPage page =
          connector.poll(
              "contacts", catalog.mapping("hubspot-contact"), Offset.Watermark.START, token);
      page.records().forEach(r -> seen.add(r.key().crmId()));
      token = page.nextPageToken();
    }
    assertThat(seen).as("every contact in the window, none skipped").containsAll(ids);
  }

  @Test
  void aWindowReadToItsEndMovesTheOffsetToItsEndAndTheNextCycleDoesNotReadItAgain()
      throws InterruptedException {
    Instant base = Instant.now().minus(Duration.ofMinutes(5));
    for (int i = 0; i < 5; i++) {
      String id = portal.createContact(Map.of("email", "w" + i + "@example.com"));
      portal.stampContact(id, base.plusMillis(i));
    }
    CrmConnector connector = privateApp();
    Instant before = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    PollPage page =
        connector.poll(
            "contacts", catalog.mapping("hubspot-contact"), Offset.Watermark.START, null);
    Instant after = Instant.now();
    assertThat(page.records()).hasSize(5);
    assertThat(page.nextPageToken()).isNull();
    Offset.Watermark end = (Offset.Watermark) page.offsetAfter();
    assertThat(end.modifiedAt()).as("the window's end: the cycle's start").isBetween(before, after);
    Thread.sleep(5);
    // The next cycle, nothing changed meanwhile: its window (from the end, less the profile's
    // overlap, none here) holds nothing to read again.
    assertThat(connector.poll("contacts", catalog.mapping("hubspot-contact"), end, null).records())
        .isEmpty();
    // From the newest stamp seen, as the offset stood before, the cycle read a contact again.
    CrmRecord newest = page.records().get(page.records().size() - 1);
    assertThat(
            connector
                .poll(
                    "contacts",
                    catalog.mapping("hubspot-contact"),
                    new Offset.Watermark(newest.modifiedAt(), newest.key().crmId()),
                    null)
                .records())
        .isNotEmpty();
  }

  @Test
  void oauthRenewsItsAccessTokenFromTheRefreshToken() throws InterruptedException {
    portal.createContact(Map.of("email", "o@example.com"));
    // A poll's window ends, exclusive, where the cycle starts: let the clock pass the stamp.
    Thread.sleep(5);
    CrmConnector connector =
        connector(
            new CrmProfile.Auth.OAuthRefresh(
                new SecretRef("AIX_TEST_HS_CLIENT_ID", "hs-test.yaml", 1),
                new SecretRef("AIX_TEST_HS_CLIENT_SECRET", "hs-test.yaml", 2),
                new SecretRef("AIX_TEST_HS_REFRESH_TOKEN", "hs-test.yaml", 3)));

    assertThat(pollAll(connector)).hasSize(1);
    assertThat(pollAll(connector)).hasSize(1);
    assertThat(connector.apiUsage().callsMade())
        .as("one token exchange for both polls, then the searches")
        .isEqualTo(3);
  }

  @Inject io.aix.security.CredentialVault vault;
  @Inject io.agroal.api.AgroalDataSource db;

  private CrmConnector oauth() {
    return connector(
        new CrmProfile.Auth.OAuthRefresh(
            new SecretRef("AIX_TEST_HS_CLIENT_ID", "hs-test.yaml", 1),
            new SecretRef("AIX_TEST_HS_CLIENT_SECRET", "hs-test.yaml", 2),
            new SecretRef("AIX_TEST_HS_REFRESH_TOKEN", "hs-test.yaml", 3)));
  }

  private String[] storedRow() throws java.sql.SQLException {
    try (var c = db.getConnection();
        var s = c.createStatement();
        var r =
            s.executeQuery(
                "select key_id, sealed from crm_credential where profile_id = 'hs-test'")) {
      return r.next() ? new String[] {r.getString(1), r.getString(2)} : null;
    }
  }

  private void sql(String statement) throws java.sql.SQLException {
    try (var c = db.getConnection();
        var s = c.createStatement()) {
      s.execute(statement);
    }
  }

  @Test
  void obtainedTokensAreSealedSharedByReplicasAndOutliveARotation() throws Exception {
    sql("delete from crm_credential where profile_id = 'hs-test'");
    portal.rotateRefreshTokens(true);
    portal.createContact(Map.of("email", "v@example.com"));
    Thread.sleep(5); // past the contact's stamp: a poll window ends where its cycle starts

    CrmConnector first = oauth();
    assertThat(pollAll(first)).hasSize(1);
    String[] row = storedRow();
    assertThat(row).as("the obtained tokens are stored").isNotNull();
    assertThat(row[0]).isEqualTo("test-1");
    io.aix.connector.TokenVault.Tokens tokens = vault.load("hs-test").orElseThrow();
    assertThat(tokens.refreshToken())
        .as("HubSpot rotated the refresh token")
        .isNotEqualTo("aix-hubspot-refresh-token");
    assertThat(row[1])
        .as("sealed, not stored in plain")
        .doesNotContain(tokens.accessToken())
        .doesNotContain(tokens.refreshToken())
        .doesNotContain("refresh_token");

    CrmConnector restarted = oauth();
    assertThat(pollAll(restarted)).hasSize(1);
    assertThat(restarted.apiUsage().callsMade())
        .as("another replica, or a restart, uses the stored access token: no exchange")
        .isEqualTo(1);

    portal.expireAccessTokens();
    sql(
        "update crm_credential set expires_at = now() - interval '1 minute' where profile_id = 'hs-test'");
    CrmConnector later = oauth();
    assertThat(pollAll(later))
        .as("renewed with the rotated refresh token; the environment's is void by now")
        .hasSize(1);
    assertThat(later.apiUsage().callsMade()).isEqualTo(2);

    sql("update crm_credential set profile_id = 'hs-other' where profile_id = 'hs-test'");
    assertThat(vault.load("hs-other"))
        .as("a sealed row moved to another profile does not open")
        .isEmpty();
    sql("delete from crm_credential where profile_id = 'hs-other'");
  }

  @Test
  void aBadRefreshTokenIsAPermanentFailure() {
    CrmConnector connector =
        connector(
            new CrmProfile.Auth.OAuthRefresh(
                new SecretRef("AIX_TEST_HS_CLIENT_ID", "hs-test.yaml", 1),
                new SecretRef("AIX_TEST_HS_CLIENT_SECRET", "hs-test.yaml", 2),
                new SecretRef("AIX_DEMO_HS_TOKEN", "hs-test.yaml", 3)));
    assertThatThrownBy(
            () ->
                connector.poll(
                    "contacts", catalog.mapping("hubspot-contact"), Offset.Watermark.START, null))
        .isInstanceOf(CrmCallException.class)
        .extracting(e -> ((CrmCallException) e).failure().kind())
        .isEqualTo(CrmFailure.Kind.PERMANENT);
  }

  @Test
  void aRateLimitIsRetriableAndTheNextCallWaitsForRetryAfter() {
    portal.createContact(Map.of("email", "r@example.com"));
    CrmConnector connector = privateApp();
    portal.faults().failNext(1, 429);
    assertThatThrownBy(
            () ->
                connector.poll(
                    "contacts", catalog.mapping("hubspot-contact"), Offset.Watermark.START, null))
        .isInstanceOf(CrmCallException.class)
        .extracting(e -> ((CrmCallException) e).failure().code())
        .isEqualTo("RATE_LIMIT");
    long started = System.nanoTime();
    assertThat(pollAll(connector)).hasSize(1);
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("the sandbox's Retry-After: 1 was honoured")
        .isGreaterThanOrEqualTo(Duration.ofMillis(900));
  }

  @Test
  void aTaskBeyondTheFirstPageOfAContactsAssociationsIsFoundByItsMarker() {
    String contact = portal.createContact(Map.of("email", "busy@example.com"));
    // Years of a rep's to-dos: more tasks than one association page (500) holds.
    portal.addTasks(contact, 600);
    CrmConnector connector = privateApp();
    io.aix.connector.HotLeadTask task =
        new io.aix.connector.HotLeadTask(
            contact,
            "demo-hubspot:contacts:" + contact + ":hot:1",
            null,
            "Hot lead: call within a day",
            "Score 91 (A)",
            Instant.now().plus(Duration.ofDays(1)));
    String created = connector.createTasks("contacts", List.of(task)).get(0).crmTaskId();
    assertThat(portal.tasksOf(contact)).hasSize(601).endsWith(created);

    Map<String, String> found = connector.findTasks("contacts", List.of(task));

    assertThat(found)
        .as("read to the last association page")
        .containsEntry(task.idempotencyKey(), created);
    assertThat(
            portal.requests().stream()
                .filter(r -> r.toString().startsWith("GET /crm/v4/objects/contacts/" + contact))
                .count())
        .as("two pages of associations")
        .isEqualTo(2);
  }
}

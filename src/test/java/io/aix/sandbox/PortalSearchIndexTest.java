package io.aix.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox portal answers the searches of AIX's poll chain (lastmodifieddate bounds sorted by
 * it; within one millisecond, hs_object_id bounds sorted by it) from its stamp index, reading only
 * the page. Those answers must be the very answers of the general path (every record of the window
 * filtered and sorted), which a filter the index does not cover (one every record meets) forces:
 * same hits in the same order, same total, same next page.
 */
class PortalSearchIndexTest {
  private static final String TOKEN = "pat-test";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A clock a test moves: a search a second stays under the portal's per-second limit. */
  private static final class TestClock extends Clock {
    final AtomicLong millis = new AtomicLong(Instant.parse("2026-11-02T10:00:00Z").toEpochMilli());

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }

  private final TestClock clock = new TestClock();
  private HubSpotPortal portal;
  private long importStamp;

  @BeforeEach
  void seed() {
    portal = new HubSpotPortal(TOKEN, "c", "s", "r", clock);
    LeadGenerator generator = new LeadGenerator(5, Clock.systemUTC());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 900; i++) {
      ids.add(portal.createContact(generator.contact()));
      clock.millis.addAndGet(i % 3 == 0 ? 0 : 7); // some contacts share a stamp
    }
    // A bulk import's stamp: 500 contacts in one millisecond, in no id order.
    importStamp = clock.millis.addAndGet(1_000);
    for (int i = 0; i < 500; i++) {
      portal.stampContact(ids.get((i * 7) % ids.size()), Instant.ofEpochMilli(importStamp));
    }
    clock.millis.addAndGet(1_000);
  }

  private JsonNode search(String filters, String sortBy, int limit) throws Exception {
    clock.millis.addAndGet(1_000);
    String body =
        "{\"filterGroups\":[{\"filters\":["
            + filters
            + "]}],\"sorts\":[{\"propertyName\":\""
            + sortBy
            + "\",\"direction\":\"ASCENDING\"}],\"properties\":[\"hs_object_id\","
            + "\"lastmodifieddate\"],\"limit\":"
            + limit
            + "}";
    Reply reply =
        portal.handle(
            "POST",
            "/crm/v3/objects/contacts/search",
            Map.of("authorization", "Bearer " + TOKEN, "content-type", "application/json"),
            body,
            "http://sandbox");
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return JSON.readTree(reply.body());
  }

  private static String filter(String property, String operator, Object value) {
    return "{\"propertyName\":\""
        + property
        + "\",\"operator\":\""
        + operator
        + "\",\"value\":\""
        + value
        + "\"}";
  }

  /** A filter every seeded contact meets, which the index does not answer. */
  private static final String EVERY = "{\"propertyName\":\"email\",\"operator\":\"HAS_PROPERTY\"}";

  private static List<String> ids(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.path("results").forEach(r -> out.add(r.path("id").asText()));
    return out;
  }

  private void sameAnswer(String filters, String sortBy, int limit) throws Exception {
    JsonNode indexed = search(filters, sortBy, limit);
    JsonNode general = search(filters + "," + EVERY, sortBy, limit);
    assertThat(ids(indexed)).as(filters).isEqualTo(ids(general)).isNotEmpty();
    assertThat(indexed.path("total").asInt()).isEqualTo(general.path("total").asInt());
    assertThat(indexed.path("paging").toString()).isEqualTo(general.path("paging").toString());
  }

  @Test
  void aWindowSortedByItsStampIsAnsweredFromTheIndexAsTheGeneralPathAnswersIt() throws Exception {
    long first = Instant.parse("2026-11-02T10:00:00Z").toEpochMilli();
    sameAnswer(
        filter("lastmodifieddate", "GTE", first)
            + ","
            + filter("lastmodifieddate", "LT", importStamp),
        "lastmodifieddate",
        200);
    // The import's millisecond and the rest of the window: equal stamps in one order.
    sameAnswer(
        filter("lastmodifieddate", "GTE", importStamp - 20)
            + ","
            + filter("lastmodifieddate", "LT", importStamp + 5_000),
        "lastmodifieddate",
        200);
    JsonNode all =
        search(
            filter("lastmodifieddate", "GTE", first)
                + ","
                + filter("lastmodifieddate", "LT", importStamp + 1),
            "lastmodifieddate",
            50);
    assertThat(all.path("total").asInt()).isEqualTo(900);
  }

  @Test
  void oneMillisecondWalkedByIdIsAnsweredFromTheIndexAsTheGeneralPathAnswersIt() throws Exception {
    String lastId = "0";
    int walked = 0;
    while (true) {
      String filters =
          filter("lastmodifieddate", "EQ", importStamp)
              + ","
              + filter("hs_object_id", "GT", lastId);
      sameAnswer(filters, "hs_object_id", 200);
      List<String> page = ids(search(filters, "hs_object_id", 200));
      walked += page.size();
      if (page.size() < 200) {
        break;
      }
      lastId = page.get(page.size() - 1);
    }
    assertThat(walked).as("every contact of the import's millisecond, once").isEqualTo(500);
  }
}

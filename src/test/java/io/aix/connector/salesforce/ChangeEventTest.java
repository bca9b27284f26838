package io.aix.connector.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Reading change events as Camel hands them over (the raw message with {@code rawPayload=true}; a
 * map body and CamelSalesforce* headers without it), and what is refused.
 */
class ChangeEventTest {
  private static final Set<String> AIX = SalesforceConnector.aixFieldNames();

  private static String message(String header, String event) {
    return "{\"channel\":\"/data/LeadChangeEvent\",\"data\":{\"schema\":\"x\",\"payload\":{"
        + "\"ChangeEventHeader\":"
        + header
        + ",\"Title\":\"VP\"},\"event\":"
        + event
        + "}}";
  }

  private static String header(String type, String fields, String origin) {
    return "{\"entityName\":\"Lead\",\"recordIds\":[\"00Q5e000001AbcdEAA\"],\"changeType\":\""
        + type
        + "\",\"changeOrigin\":\""
        + origin
        + "\",\"transactionKey\":\"0002a-tx\",\"sequenceNumber\":1,"
        + "\"commitTimestamp\":1764131000000,\"commitUser\":\"005\",\"changedFields\":"
        + fields
        + "}";
  }

  @Test
  void readsTheHeaderTheReplayIdAndTheUuid() throws Exception {
    ChangeEvent e =
        ChangeEvent.parse(
            message(
                header("UPDATE", "[\"Title\",\"LastModifiedDate\"]", "com/salesforce/api/soap"),
                "{\"EventUuid\":\"7c1e-uuid\",\"replayId\":4711}"),
            "Lead");
    assertThat(e.replayId()).isEqualTo(4711);
    assertThat(e.key()).isEqualTo("7c1e-uuid");
    assertThat(e.recordIds()).containsExactly("00Q5e000001AbcdEAA");
    assertThat(e.committedAt()).isEqualTo(Instant.ofEpochMilli(1764131000000L));
    assertThat(e.isEcho(AIX, "AIX")).isFalse();
  }

  @Test
  void withoutAUuidTheTransactionKeyAndSequenceTellEventsApart() throws Exception {
    ChangeEvent e =
        ChangeEvent.parse(message(header("CREATE", "[]", "x"), "{\"replayId\":12}"), "Lead");
    assertThat(e.key()).isEqualTo("0002a-tx:1");
  }

  @Test
  void anEchoIsAnUpdateOfOnlyAixFieldsOrOneMadeThroughAixsClient() throws Exception {
    String only =
        message(
            header("UPDATE", "[\"AIX_Score__c\",\"AIX_Grade__c\",\"LastModifiedDate\"]", "o"),
            "{\"replayId\":1}");
    assertThat(ChangeEvent.parse(only, "Lead").isEcho(AIX, "AIX")).isTrue();
    String mixed =
        message(header("UPDATE", "[\"AIX_Score__c\",\"Title\"]", "o"), "{\"replayId\":1}");
    assertThat(ChangeEvent.parse(mixed, "Lead").isEcho(AIX, "AIX")).isFalse();
    String byClient =
        message(
            header("UPDATE", "[\"Title\"]", "com/salesforce/api/rest/62.0;client=AIX"),
            "{\"replayId\":1}");
    assertThat(ChangeEvent.parse(byClient, "Lead").isEcho(AIX, "AIX")).isTrue();
    String systemOnly =
        message(header("UPDATE", "[\"LastModifiedDate\"]", "o"), "{\"replayId\":1}");
    assertThat(ChangeEvent.parse(systemOnly, "Lead").isEcho(AIX, "AIX"))
        .as("a touch by someone else is not AIX's")
        .isFalse();
    String created =
        message(
            header("CREATE", "[]", "com/salesforce/api/rest/62.0;client=AIX"), "{\"replayId\":1}");
    assertThat(ChangeEvent.parse(created, "Lead").isEcho(AIX, "AIX")).isFalse();
  }

  @Test
  void malformedEventsAreRefusedWithTheirReason() {
    assertThatThrownBy(() -> ChangeEvent.parse("{not json", "Lead"))
        .isInstanceOf(ChangeEvent.Malformed.class)
        .hasMessageStartingWith("not JSON");
    assertThatThrownBy(() -> ChangeEvent.parse(message(header("UPDATE", "[]", "o"), "{}"), "Lead"))
        .hasMessageContaining("no replay id");
    assertThatThrownBy(
            () ->
                ChangeEvent.parse(
                    message(header("UPDATE", "[]", "o"), "{\"replayId\":\"garbage\"}"), "Lead"))
        .hasMessageContaining("no replay id");
    assertThatThrownBy(
            () ->
                ChangeEvent.parse(
                    message(header("UPDATE", "[]", "o"), "{\"replayId\":3}"), "Contact"))
        .satisfies(
            t -> {
              ChangeEvent.Malformed m = (ChangeEvent.Malformed) t;
              assertThat(m.code()).isEqualTo("WRONG_ENTITY");
              assertThat(m.replayId()).hasValue(3);
            });
    assertThatThrownBy(
            () ->
                ChangeEvent.parse(message(header("MERGE", "[]", "o"), "{\"replayId\":3}"), "Lead"))
        .hasMessageContaining("unknown changeType 'MERGE'");
    String badId =
        message(header("UPDATE", "[]", "o"), "{\"replayId\":3}")
            .replace("00Q5e000001AbcdEAA", "00Q' OR Id != '");
    assertThatThrownBy(() -> ChangeEvent.parse(badId, "Lead"))
        .satisfies(t -> assertThat(((ChangeEvent.Malformed) t).code()).isEqualTo("BAD_RECORD_ID"));
    String noStamp =
        message(header("UPDATE", "[]", "o"), "{\"replayId\":3}")
            .replace("\"commitTimestamp\":1764131000000,", "");
    assertThatThrownBy(() -> ChangeEvent.parse(noStamp, "Lead"))
        .hasMessageContaining("commitTimestamp");
  }

  @Test
  void anOverflowEventHasNoIdsAndAGapDeleteIsADeletion() throws Exception {
    String overflow =
        message(header("GAP_OVERFLOW", "[]", "o"), "{\"replayId\":9}")
            .replace("[\"00Q5e000001AbcdEAA\"]", "[]");
    ChangeEvent e = ChangeEvent.parse(overflow, "Lead");
    assertThat(e.isOverflow()).isTrue();
    assertThat(e.recordIds()).isEmpty();
    assertThat(
            ChangeEvent.parse(message(header("GAP_DELETE", "[]", "o"), "{\"replayId\":9}"), "Lead")
                .isDeletion())
        .isTrue();
  }

  /** The headers Camel 4.18's StreamingApiConsumer sets for an event without rawPayload. */
  private static Map<String, Object> camelHeaders(String type, Object recordIds) {
    Map<String, Object> h = new HashMap<>();
    h.put("CamelSalesforceReplayId", 4712L);
    h.put("CamelSalesforceEntityName", "Lead");
    h.put("CamelSalesforceRecordIds", recordIds);
    h.put("CamelSalesforceChangeType", type);
    h.put("CamelSalesforceChangeOrigin", "com/salesforce/api/bulk/62.0");
    h.put("CamelSalesforceTransactionKey", "0002b-tx");
    h.put("CamelSalesforceSequenceNumber", 3L);
    h.put("CamelSalesforceCommitTimestamp", 1764131000000L);
    h.put("CamelSalesforceCommitUser", "005");
    return h;
  }

  @Test
  void withoutRawPayloadTheChangedFieldsAreTheBodysNames() throws Exception {
    // Jetty's JSON parser (CometD's client) hands arrays over as Object[].
    Object ids = new Object[] {"00Q5e000001AbcdEAA"};
    Map<String, Object> aixOnly = new HashMap<>();
    aixOnly.put("AIX_Score__c", 87L);
    aixOnly.put("AIX_Top_Factors__c", null); // cleared: still a changed field
    aixOnly.put("LastModifiedDate", "2026-11-26T04:23:20.000Z");
    ChangeEvent echo =
        ChangeEvent.parse(ChangeEvent.message(camelHeaders("UPDATE", ids), aixOnly), "Lead");
    assertThat(echo.replayId()).isEqualTo(4712);
    assertThat(echo.key()).isEqualTo("0002b-tx:3");
    assertThat(echo.recordIds()).containsExactly("00Q5e000001AbcdEAA");
    assertThat(echo.changedFields())
        .containsExactlyInAnyOrder("AIX_Score__c", "AIX_Top_Factors__c", "LastModifiedDate");
    assertThat(echo.isEcho(AIX, "AIX")).as("a bulk job's write has no client= origin").isTrue();

    Map<String, Object> userEdit = new HashMap<>(aixOnly);
    userEdit.put("Title", "VP Sales");
    assertThat(
            ChangeEvent.parse(ChangeEvent.message(camelHeaders("UPDATE", ids), userEdit), "Lead")
                .isEcho(AIX, "AIX"))
        .isFalse();
    assertThat(
            ChangeEvent.parse(
                    ChangeEvent.message(
                        camelHeaders("CREATE", List.of("00Q5e000001AbcdEAA")), aixOnly),
                    "Lead")
                .changedFields())
        .as("only an update's body names changed fields")
        .isEmpty();
  }

  @Test
  void withoutRawPayloadAMalformedEventIsRefusedAsTheRawOneWouldBe() {
    Map<String, Object> headers = camelHeaders("UPDATE", new Object[] {"not an id"});
    assertThatThrownBy(
            () -> ChangeEvent.parse(ChangeEvent.message(headers, Map.of("Title", "x")), "Lead"))
        .isInstanceOf(ChangeEvent.Malformed.class)
        .hasMessageContaining("not a Salesforce record id");
    headers.remove("CamelSalesforceReplayId");
    assertThatThrownBy(
            () -> ChangeEvent.parse(ChangeEvent.message(headers, Map.of("Title", "x")), "Lead"))
        .hasMessageContaining("no replay id");
  }
}

package io.aix.connector.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Reading change events as Camel hands them over ({@code rawPayload=true}), and what is refused.
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
}

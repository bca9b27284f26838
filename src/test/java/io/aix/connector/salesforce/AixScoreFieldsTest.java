package io.aix.connector.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aix.connector.ScoreWrite;
import io.aix.profile.CrmProfile;
import io.aix.scoring.ScoreResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.camel.component.salesforce.api.utils.JsonUtils;
import org.junit.jupiter.api.Test;

/**
 * What goes on the wire for a score, serialised by Camel's own object mapper (the one the component
 * sends sObject Collections bodies with): a cleared field is an explicit null, a field the profile
 * does not write is absent, and no {@code fieldsToNull} key is sent.
 */
class AixScoreFieldsTest {
  static final ObjectMapper CAMEL = JsonUtils.createObjectMapper();

  private static SalesforceConnector connector(List<String> fields) {
    CrmProfile profile =
        new CrmProfile(
            "unit",
            "salesforce",
            "unit.yaml",
            new CrmProfile.Connection("sandbox", "62.0", null, 1),
            List.of(
                new CrmProfile.ObjectSync(
                    "Lead",
                    "salesforce-lead",
                    Duration.ofMinutes(1),
                    Duration.ofMinutes(2),
                    2000,
                    1)),
            new CrmProfile.Writeback(true, 200, fields),
            "default-rules",
            new CrmProfile.Limits(1000),
            Optional.empty(),
            CrmProfile.Tasks.OFF,
            CrmProfile.ModelSettings.DEFAULT,
            CrmProfile.Privacy.DEFAULT);
    return new SalesforceConnector(profile, "sf-unit", null, null);
  }

  private static ScoreWrite write(String signals, String topFactors) {
    return new ScoreWrite(
        "00Q5e000001AbCdEAA",
        new ScoreResult(
            42,
            "C",
            0.3755,
            50,
            30,
            topFactors,
            "rules@1",
            Instant.parse("2026-11-30T10:00:00Z"),
            signals));
  }

  @Test
  void anEmptyValueGoesOutAsAnExplicitNullAndNoFieldsToNullKey() throws Exception {
    SalesforceConnector c =
        connector(List.of("AIX_Score__c", "AIX_Signals__c", "AIX_Top_Factors__c"));
    JsonNode sent = CAMEL.readTree(CAMEL.writeValueAsString(c.fields("Lead", write("", ""))));

    assertThat(sent.has("AIX_Signals__c")).as("named, so Salesforce clears it").isTrue();
    assertThat(sent.get("AIX_Signals__c").isNull()).isTrue();
    assertThat(sent.get("AIX_Top_Factors__c").isNull()).isTrue();
    assertThat(sent.get("AIX_Score__c").asInt()).isEqualTo(42);
    assertThat(sent.has("AIX_Grade__c")).as("not written by this profile: left alone").isFalse();
    assertThat(sent.has("fieldsToNull")).as("Camel's list is not a field").isFalse();
  }

  @Test
  void aValueGoesOutAsItIs() throws Exception {
    SalesforceConnector c = connector(List.of("AIX_Signals__c"));
    JsonNode sent =
        CAMEL.readTree(CAMEL.writeValueAsString(c.fields("Lead", write("1 form", "Big"))));
    assertThat(sent.get("AIX_Signals__c").asText()).isEqualTo("1 form");
    assertThat(sent.has("AIX_Top_Factors__c")).isFalse();
  }

  @Test
  void aDryRunPreviewShowsTheValuesWithoutTheClearedOnes() {
    SalesforceConnector c = connector(List.of("AIX_Score__c", "AIX_Signals__c"));
    assertThat(c.previewWrite("Lead", write("", "x"))).containsOnlyKeys("AIX_Score__c");
  }

  @Test
  void aBulkRowNamesWhatCamelsMapperWouldSend() {
    List<String> all = io.aix.profile.ProfileLoader.SALESFORCE_FIELDS;
    for (List<String> fields : List.of(all, List.of("AIX_Score__c", "AIX_Signals__c"))) {
      SalesforceConnector c = connector(fields);
      for (ScoreWrite w : List.of(write("", ""), write("2 visits", "Title: VP"))) {
        // The reference: Camel's mapper over the same object, as the REST body has it (its key
        // order varies with the values; a CSV's column order does not matter).
        java.util.Map<String, Object> expected = new java.util.LinkedHashMap<>();
        CAMEL
            .valueToTree(c.fields("Lead", w))
            .fields()
            .forEachRemaining(
                e -> {
                  if (e.getKey().startsWith("AIX_")) {
                    JsonNode v = e.getValue();
                    expected.put(
                        e.getKey(),
                        v.isNull() ? null : v.isNumber() ? v.decimalValue() : v.asText());
                  }
                });
        assertThat(c.bulkRow("Lead", w)).as("%s, %s", fields, w).isEqualTo(expected);
      }
    }
    assertThat(connector(all).bulkRow("Lead", write("", "")))
        .containsEntry("AIX_Signals__c", null)
        .containsEntry("AIX_Scored_At__c", "2026-11-30T10:00:00.000Z");
  }
}

package io.aix.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * The sandbox org's channel member filters, against the examples and rules of Salesforce's Change
 * Data Capture Developer Guide ("Filter Expression Format", "Change Event Filters", "Field
 * Considerations").
 */
class ChannelFilterTest {
  private static ObjectNode header(String changeType, String commitUser) {
    ObjectNode h = JsonNodeFactory.instance.objectNode();
    h.put("entityName", "Lead");
    h.put("changeType", changeType);
    h.put("commitUser", commitUser);
    h.put("sequenceNumber", 1);
    h.putArray("changedFields").add("Title");
    return h;
  }

  @Test
  void aFilterOnTheCommittingUserLeavesOutThatUsersChanges() {
    ChannelFilter f = ChannelFilter.parse("ChangeEventHeader.commitUser != '0055e000001AixIAAS'");
    assertThat(f.test(header("UPDATE", "0055e000001AixIAAS"))).isFalse();
    assertThat(f.test(header("UPDATE", "0055e000002OwnAAA"))).isTrue();
  }

  @Test
  void theGuidesOperatorsAndLogicalForms() {
    assertThat(
            ChannelFilter.parse("ChangeEventHeader.changeType = 'UPDATE'")
                .test(header("UPDATE", "u")))
        .isTrue();
    assertThat(
            ChannelFilter.parse("ChangeEventHeader.changeType = 'update'")
                .test(header("UPDATE", "u")))
        .as("text compares without regard to case")
        .isTrue();
    assertThat(
            ChannelFilter.parse("ChangeEventHeader.changeType IN ('CREATE', 'UNDELETE')")
                .test(header("UPDATE", "u")))
        .isFalse();
    assertThat(
            ChannelFilter.parse("ChangeEventHeader.changeType NOT IN ('CREATE','DELETE')")
                .test(header("UPDATE", "u")))
        .isTrue();
    assertThat(
            ChannelFilter.parse("ChangeEventHeader.entityName LIKE 'Le%'").test(header("X", "u")))
        .isTrue();
    assertThat(
            ChannelFilter.parse(
                    "ChangeEventHeader.commitUser != 'a' AND (ChangeEventHeader.changeType ="
                        + " 'CREATE' OR ChangeEventHeader.changeType = 'UPDATE')")
                .test(header("UPDATE", "b")))
        .isTrue();
    assertThat(ChannelFilter.parse("ChangeEventHeader.sequenceNumber >= 1").test(header("X", "u")))
        .isTrue();
  }

  @Test
  void theInstallKitsChannelMembersLeaveOutTheIntegrationUsersCommits() throws Exception {
    java.nio.file.Path dir =
        java.nio.file.Path.of(
            "crm-profiles/install/salesforce/change-channels/main/default/platformEventChannelMembers");
    for (String object : java.util.List.of("Lead", "Contact")) {
      String xml =
          java.nio.file.Files.readString(
              dir.resolve(
                  "AIX_"
                      + object
                      + "_chn_"
                      + object
                      + "ChangeEvent.platformEventChannelMember-meta.xml"));
      assertThat(xml)
          .contains("<eventChannel>AIX_" + object + "__chn</eventChannel>")
          .contains("<selectedEntity>" + object + "ChangeEvent</selectedEntity>");
      String filter =
          xml.substring(
                  xml.indexOf("<filterExpression>") + "<filterExpression>".length(),
                  xml.indexOf("</filterExpression>"))
              .replace("REPLACE_WITH_INTEGRATION_USER_ID", SalesforceOrg.INTEGRATION_USER_ID);
      ChannelFilter f = ChannelFilter.parse(filter);
      assertThat(f.test(header("UPDATE", SalesforceOrg.INTEGRATION_USER_ID))).isFalse();
      assertThat(f.test(header("UPDATE", "0055e000002OwnAAA"))).isTrue();
    }
  }

  @Test
  void whatTheGuideRulesOutIsRefusedWithWhy() {
    assertThatThrownBy(() -> ChannelFilter.parse("ChangeEventHeader.changedFields = 'Title'"))
        .hasMessageContaining("array field");
    assertThatThrownBy(() -> ChannelFilter.parse("ChangeEventHeader.commitUser != 0055e0"))
        .hasMessageContaining("single quotes");
    assertThatThrownBy(
            () ->
                ChannelFilter.parse(
                    "ChangeEventHeader.changeType = 'A' AND ChangeEventHeader.changeType = 'B' OR"
                        + " ChangeEventHeader.changeType = 'C'"))
        .hasMessageContaining("without parentheses");
    assertThatThrownBy(() -> ChannelFilter.parse("ChangeEventHeader.nosuch = 'x'"))
        .hasMessageContaining("not a ChangeEventHeader field");
    assertThatThrownBy(() -> ChannelFilter.parse("Industry = 'Agriculture'"))
        .hasMessageContaining("ChangeEventHeader fields only");
  }
}

package io.aix.connector.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The HubSpot install kit is what AIX itself creates: admins who create the properties by hand (an
 * app without {@code crm.schemas.contacts.write}) get exactly AIX's definitions.
 */
class HubSpotInstallKitTest {
  static final Path KIT = Path.of("crm-profiles/install/hubspot/contact-properties.json");

  @Test
  void theKitHoldsTheGroupAndEveryPropertyAixCreates() throws Exception {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode expected = json.createObjectNode();
    expected.put(
        "_comment",
        "AIX's contact properties, for POST /crm/v3/properties/contacts/groups (group) and"
            + " POST /crm/v3/properties/contacts/batch/create (inputs). AIX creates them itself"
            + " when its app has crm.schemas.contacts.write.");
    expected.set(
        "group",
        json.valueToTree(
            new HubSpotApi.PropertyGroup(HubSpotConnector.GROUP, "AIX lead scoring", -1)));
    expected.set("inputs", json.valueToTree(HubSpotProperties.definitions()));
    JsonNode kit = Files.exists(KIT) ? json.readTree(KIT.toFile()) : null;
    assertThat(kit)
        .as("%s must read:%n%s", KIT, json.writeValueAsString(expected))
        .isEqualTo(expected);
  }
}

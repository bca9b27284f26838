package io.aix.connector.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The Salesforce install kit (SFDX source format) creates exactly the fields AIX writes and reads,
 * with the types {@code ./aix install check} expects, and its permission set grants what AIX uses.
 */
class SalesforceInstallKitTest {
  static final Path KIT = Path.of("crm-profiles/install/salesforce/force-app/main/default");

  /** Metadata API field type to the type describe reports for it. */
  static final Map<String, String> DESCRIBE_TYPE =
      Map.of(
          "Number", "double",
          "Picklist", "picklist",
          "Percent", "percent",
          "LongTextArea", "textarea",
          "DateTime", "datetime",
          "Text", "string");

  private static Document xml(Path file) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder().parse(file.toFile());
  }

  private static String text(Element e, String tag) {
    NodeList list = e.getElementsByTagNameNS("*", tag);
    return list.getLength() == 0 ? null : list.item(0).getTextContent();
  }

  @Test
  void everyObjectGetsEveryAixFieldWithTheTypeTheCheckExpects() throws Exception {
    Map<String, String> expected = new TreeMap<>();
    SalesforceConnector.KIT_FIELDS.forEach(k -> expected.put(k.name(), k.describeType()));
    for (String object : Set.of("Lead", "Contact")) {
      Map<String, String> kit = new TreeMap<>();
      try (Stream<Path> files = Files.list(KIT.resolve("objects/" + object + "/fields"))) {
        for (Path file : files.toList()) {
          Element field = xml(file).getDocumentElement();
          assertThat(field.getLocalName()).isEqualTo("CustomField");
          String name = text(field, "fullName");
          assertThat(file.getFileName().toString()).isEqualTo(name + ".field-meta.xml");
          kit.put(name, DESCRIBE_TYPE.get(text(field, "type")));
          if ("Picklist".equals(text(field, "type"))) {
            assertThat(text(field, "restricted")).isEqualTo("true");
          }
        }
      }
      assertThat(kit).as(object).isEqualTo(expected);
    }
  }

  @Test
  void theNumberScalesAixComparesWithAreTheKits() throws Exception {
    // A read-back compares a written number rounded to its field's scale, as Salesforce stores
    // it; without the org's describe AIX goes by these.
    for (String object : Set.of("Lead", "Contact")) {
      for (SalesforceConnector.KitField k : SalesforceConnector.KIT_FIELDS) {
        Element field =
            xml(KIT.resolve("objects/" + object + "/fields/" + k.name() + ".field-meta.xml"))
                .getDocumentElement();
        String scale = text(field, "scale");
        assertThat(k.scale())
            .as(object + "." + k.name())
            .isEqualTo(scale == null ? -1 : Integer.parseInt(scale));
      }
    }
  }

  @Test
  void theScoreFieldsAixWritesAreTheKitsFieldsButFeedback() {
    Set<String> written =
        Arrays.stream(AixScoreFields.class.getMethods())
            .map(m -> m.getAnnotation(JsonProperty.class))
            .filter(Objects::nonNull)
            .map(JsonProperty::value)
            .filter(n -> n.startsWith("AIX_"))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> kit =
        SalesforceConnector.KIT_FIELDS.stream()
            .map(SalesforceConnector.KitField::name)
            .filter(n -> !n.equals("AIX_Feedback__c"))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(written).isEqualTo(kit);
  }

  @Test
  void thePermissionSetGrantsEditOnScoreFieldsReadOnFeedbackApiAccessAndTasks() throws Exception {
    Element set =
        xml(KIT.resolve("permissionsets/AIX_Integration.permissionset-meta.xml"))
            .getDocumentElement();
    Map<String, String> access = new TreeMap<>();
    NodeList fields = set.getElementsByTagNameNS("*", "fieldPermissions");
    for (int i = 0; i < fields.getLength(); i++) {
      Element f = (Element) fields.item(i);
      assertThat(text(f, "readable")).isEqualTo("true");
      access.put(text(f, "field"), "true".equals(text(f, "editable")) ? "edit" : "read");
    }
    Map<String, String> expected = new TreeMap<>();
    for (String object : Set.of("Lead", "Contact")) {
      for (SalesforceConnector.KitField k : SalesforceConnector.KIT_FIELDS) {
        expected.put(object + "." + k.name(), k.name().equals("AIX_Feedback__c") ? "read" : "edit");
      }
    }
    assertThat(access).isEqualTo(expected);
    NodeList objects = set.getElementsByTagNameNS("*", "objectPermissions");
    Set<String> editable = new TreeSet<>();
    for (int i = 0; i < objects.getLength(); i++) {
      Element o = (Element) objects.item(i);
      if ("true".equals(text(o, "allowEdit")) && "true".equals(text(o, "allowRead"))) {
        editable.add(text(o, "object"));
      }
      assertThat(text(o, "allowDelete")).isEqualTo("false");
    }
    assertThat(editable).containsExactlyInAnyOrder("Lead", "Contact");
    NodeList users = set.getElementsByTagNameNS("*", "userPermissions");
    Set<String> granted = new TreeSet<>();
    for (int i = 0; i < users.getLength(); i++) {
      Element u = (Element) users.item(i);
      assertThat(text(u, "enabled")).isEqualTo("true");
      granted.add(text(u, "name"));
    }
    assertThat(granted)
        .as("the API, and Tasks for hot leads")
        .containsExactly("ApiEnabled", "EditTask");
    Element app = xml(KIT.resolve("connectedApps/AIX.connectedApp-meta.xml")).getDocumentElement();
    assertThat(text(app, "permissionSetName")).isEqualTo("AIX_Integration");
    assertThat(text(app, "isAdminApproved")).isEqualTo("true");
  }
}

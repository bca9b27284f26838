package io.aix.profile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.aix.lead.CanonicalField;
import io.aix.mapping.Transform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The published JSON Schemas (for editor completion) accept every shipped file, refuse the mistakes
 * AIX refuses, and know the same canonical fields and transforms as the loaders.
 */
class SchemaTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path PROFILE_SCHEMA = Path.of("crm-profiles/schema/crm-profile.schema.json");
  static final Path MAPPING_SCHEMA = Path.of("mappings/schema/mapping.schema.json");

  static JsonSchema schema(Path file) throws IOException {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
        .getSchema(JSON.readTree(file.toFile()));
  }

  static JsonNode yaml(String text) {
    return JSON.valueToTree(new Load(LoadSettings.builder().build()).loadFromString(text));
  }

  static List<Path> yamlFiles(String dir) throws IOException {
    try (Stream<Path> files = Files.list(Path.of(dir))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void everyShippedProfileAndMappingConforms() throws IOException {
    JsonSchema profiles = schema(PROFILE_SCHEMA);
    JsonSchema mappings = schema(MAPPING_SCHEMA);
    List<String> problems = new ArrayList<>();
    for (Path f : yamlFiles("crm-profiles")) {
      assertThat(Files.readString(f))
          .as("%s names its schema for editors", f)
          .startsWith("# yaml-language-server: $schema=schema/crm-profile.schema.json");
      profiles.validate(yaml(Files.readString(f))).forEach(m -> problems.add(f + ": " + m));
    }
    for (Path f : yamlFiles("mappings")) {
      assertThat(Files.readString(f))
          .startsWith("# yaml-language-server: $schema=schema/mapping.schema.json");
      mappings.validate(yaml(Files.readString(f))).forEach(m -> problems.add(f + ": " + m));
    }
    assertThat(problems).isEmpty();
    assertThat(yamlFiles("crm-profiles")).hasSizeGreaterThanOrEqualTo(2);
    assertThat(yamlFiles("mappings")).hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void theSchemasRefuseWhatAixRefuses() throws IOException {
    Set<ValidationMessage> profile =
        schema(PROFILE_SCHEMA)
            .validate(
                yaml(
                    """
                    id: Acme_SF
                    type: salesforce
                    connection:
                      loginUrl: http://login.salesforce.com
                      auth: { flow: jwt, clientId: "3MVG9-literal-secret" }
                    objects: [ { name: Lead, mapping: salesforce-lead, every: 30 } ]
                    writeback: { batchsize: 200 }
                    """));
    assertThat(profile.stream().map(ValidationMessage::getInstanceLocation).map(Object::toString))
        .contains(
            "$.id",
            "$.connection.loginUrl",
            "$.connection.auth.clientId",
            "$.objects[0].every",
            "$.writeback");

    Set<ValidationMessage> mapping =
        schema(MAPPING_SCHEMA)
            .validate(
                yaml(
                    """
                    id: m
                    crm: salesforce
                    object: Lead
                    fields:
                      - { crm: Email, canonical: mail, role: feature, transforms: [trim, domian] }
                      - { crm: Title, canonical: title, role: input }
                    """));
    assertThat(mapping.stream().map(ValidationMessage::getInstanceLocation).map(Object::toString))
        .contains("$.fields[0].canonical", "$.fields[0].transforms[1]", "$.fields[1].role");
  }

  @Test
  void theSchemaKnowsTheLoadersCanonicalFieldsAndTransforms() throws IOException {
    JsonNode mapping = JSON.readTree(MAPPING_SCHEMA.toFile());
    Set<String> canonical = new TreeSet<>();
    mapping
        .at("/properties/fields/items/properties/canonical/enum")
        .forEach(n -> canonical.add(n.asText()));
    assertThat(canonical)
        .isEqualTo(
            new TreeSet<>(
                Arrays.stream(CanonicalField.values()).map(CanonicalField::key).toList()));
    Set<String> transforms = new TreeSet<>();
    mapping.at("/$defs/transform/oneOf/0/enum").forEach(n -> transforms.add(n.asText()));
    mapping
        .at("/$defs/transform/oneOf/1/properties")
        .fieldNames()
        .forEachRemaining(transforms::add);
    assertThat(transforms).isEqualTo(new TreeSet<>(Transform.NAMES));
  }
}

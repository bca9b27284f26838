package io.aix.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aix.lead.BadRecordException;
import io.aix.lead.CanonicalLead;
import io.aix.lead.CrmRecord;
import io.aix.lead.LeadKey;
import io.aix.profile.ConfigNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden files per mapping: {@code src/test/resources/golden/<mapping>/<case>.record.json} is a CRM
 * record, {@code <case>.expected.json} the canonical lead it must become, or {@code {"rejected":
 * [...]}} with every reason it must be dead-lettered for. Changing a mapping means changing its
 * golden files in the same commit.
 */
class MappingGoldenTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path GOLDEN = Path.of("src/test/resources/golden");

  @TestFactory
  Stream<DynamicTest> everyGoldenCase() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(GOLDEN)) {
      for (Path dir : dirs.sorted().toList()) {
        MappingProfile mapping =
            MappingLoader.load(ConfigNode.read(Path.of("mappings", dir.getFileName() + ".yaml")));
        try (Stream<Path> files = Files.list(dir)) {
          for (Path record :
              files.filter(f -> f.toString().endsWith(".record.json")).sorted().toList()) {
            String name = record.getFileName().toString().replace(".record.json", "");
            Path expected = dir.resolve(name + ".expected.json");
            tests.add(
                DynamicTest.dynamicTest(
                    dir.getFileName() + "/" + name, () -> check(mapping, record, expected)));
          }
        }
      }
    }
    assertThat(tests).as("golden cases for the shipped mappings").hasSizeGreaterThanOrEqualTo(8);
    return tests.stream();
  }

  private static void check(MappingProfile mapping, Path recordFile, Path expectedFile)
      throws IOException {
    JsonNode record = JSON.readTree(recordFile.toFile());
    JsonNode expected = JSON.readTree(expectedFile.toFile());
    CrmRecord crmRecord =
        new CrmRecord(
            new LeadKey(
                "golden", mapping.object(), record.path("Id").asText(record.path("id").asText())),
            Instant.parse("2026-11-20T09:15:02Z"),
            false,
            record);
    if (expected.has("rejected")) {
      List<String> reasons = new ArrayList<>();
      expected.get("rejected").forEach(r -> reasons.add(r.asText()));
      try {
        CanonicalLead lead = LeadMapper.map(mapping, crmRecord);
        fail("expected %s to be rejected, but it mapped to %s", recordFile, lead.values());
      } catch (BadRecordException e) {
        assertThat(e.reasons())
            .as("every reason, in mapping order")
            .containsExactlyElementsOf(reasons);
        assertThat(e.stage()).isEqualTo("normalize");
      }
      return;
    }
    CanonicalLead lead = LeadMapper.map(mapping, crmRecord);
    Map<String, String> actual = new TreeMap<>();
    lead.values()
        .forEach(
            (f, v) ->
                actual.put(f.key(), v instanceof BigDecimal d ? d.toPlainString() : v.toString()));
    Map<String, String> wanted = new TreeMap<>();
    expected.fields().forEachRemaining(e -> wanted.put(e.getKey(), e.getValue().asText()));
    assertThat(actual).as("canonical lead of %s", recordFile).isEqualTo(wanted);
  }
}

package io.aix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.aix.connector.CrmConnector;
import io.aix.mapping.MappingLoader;
import io.aix.mapping.MappingPreview;
import io.aix.profile.ConfigException;
import io.aix.profile.ConfigNode;
import io.aix.profile.ProfileLoader;
import io.aix.profile.RouteDsl;
import io.aix.profile.RouteFiles;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The README's examples are real: the profiles load, the mapping test prints what the README shows,
 * the route step validates with the shipped routes, and the connector SPI table names exactly the
 * methods of {@link CrmConnector}.
 */
class ReadmeExamplesTest {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static String readme() throws IOException {
    return Files.readString(Path.of("README.md"));
  }

  /** The first fenced block after {@code <!-- example: NAME ... -->}, de-indented. */
  static String example(String name) throws IOException {
    String text = readme();
    int marker = text.indexOf("<!-- example: " + name);
    assertThat(marker).as("README example '%s'", name).isNotNegative();
    Matcher m = Pattern.compile("(?m)^( *)```[a-z]*\\n(.*?)^ *```", Pattern.DOTALL).matcher(text);
    assertThat(m.find(marker)).isTrue();
    String indent = m.group(1);
    return m.group(2)
        .lines()
        .map(l -> l.startsWith(indent) ? l.substring(indent.length()) : l)
        .collect(Collectors.joining("\n", "", "\n"));
  }

  /** Every fenced YAML block that is a CRM profile (has {@code id:} and {@code type:}). */
  static List<String> profileBlocks() throws IOException {
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^( *)```yaml\\n(.*?)^ *```", Pattern.DOTALL).matcher(readme());
    while (m.find()) {
      String indent = m.group(1);
      String block =
          m.group(2)
              .lines()
              .map(l -> l.startsWith(indent) ? l.substring(indent.length()) : l)
              .collect(Collectors.joining("\n", "", "\n"));
      if (block.startsWith("id: ") && block.contains("\ntype: ")) {
        blocks.add(block);
      }
    }
    return blocks;
  }

  @Test
  void theInstallSectionsProfilesLoadAndMatchTheSchema() throws Exception {
    List<String> blocks = profileBlocks();
    assertThat(blocks)
        .as("profiles in Install in Salesforce / HubSpot")
        .hasSizeGreaterThanOrEqualTo(2);
    var schema =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(
                JSON.readTree(Path.of("crm-profiles/schema/crm-profile.schema.json").toFile()));
    for (String block : blocks) {
      ProfileLoader.load(ConfigNode.parse("README.md", block));
      assertThat(
              schema.validate(
                  JSON.valueToTree(new Load(LoadSettings.builder().build()).loadFromString(block))))
          .as(block)
          .isEmpty();
    }
  }

  @Test
  void theMappingTestPrintsWhatTheReadmeShows() throws Exception {
    var mapping = MappingLoader.load(ConfigNode.read(Path.of("mappings/hubspot-contact.yaml")));
    var record = JSON.readTree(example("mapping test record"));
    String printed = JSON.writeValueAsString(MappingPreview.preview(mapping, record, JSON)) + "\n";
    assertThat(example("mapping test output")).isEqualTo(printed);
    assertThat(example("mapping test")).contains("./aix mapping test --mapping hubspot-contact");
  }

  @Test
  void theRouteStepValidatesWithTheShippedRoutes(@TempDir Path dir) throws Exception {
    Path routes = Files.createDirectories(dir.resolve("routes"));
    try (Stream<Path> files = Files.list(Path.of("routes"))) {
      for (Path f : files.toList()) {
        Files.copy(f, routes.resolve(f.getFileName()));
      }
    }
    Files.writeString(routes.resolve("hot-leads.yaml"), example("route step ("));
    String call = example("route step call");
    Path pipeline = routes.resolve("pipeline.yaml");
    String text = Files.readString(pipeline);
    String scoreLine = call.lines().findFirst().orElseThrow();
    assertThat(text).as("the README's anchor line is in pipeline.yaml").contains(scoreLine + "\n");
    Files.writeString(pipeline, text.replace(scoreLine + "\n", call));

    List<ConfigException> problems = new ArrayList<>();
    List<Path> all;
    try (Stream<Path> files = Files.list(routes)) {
      all = files.sorted().toList();
    }
    RouteFiles.check(all, null, problems);
    problems.addAll(RouteDsl.check(routes));
    assertThat(problems).isEmpty();
    assertThat(Files.readString(pipeline)).contains("- to: direct:log-hot-leads");
  }

  @Test
  void theConnectorSpiTableNamesEveryMethodOfCrmConnector() throws Exception {
    Set<String> documented = new TreeSet<>();
    Matcher m = Pattern.compile("`(\\w+)\\(").matcher(spiTable());
    while (m.find()) {
      documented.add(m.group(1));
    }
    Set<String> methods =
        Arrays.stream(CrmConnector.class.getDeclaredMethods())
            .filter(
                x ->
                    Modifier.isPublic(x.getModifiers())
                        && !x.isSynthetic()
                        && !Modifier.isStatic(x.getModifiers()))
            .map(Method::getName)
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(documented).isEqualTo(methods);
  }

  private static String spiTable() throws IOException {
    String text = readme();
    int start = text.indexOf("<!-- example: connector SPI");
    int end = text.indexOf("\n\n", text.indexOf("| Method", start));
    return text.substring(start, end);
  }
}

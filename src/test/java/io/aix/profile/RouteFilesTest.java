package io.aix.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An invalid route file stops start-up with {@code file:line: what is wrong}. */
class RouteFilesTest {
  @TempDir Path dir;

  private Path write(String name, String yaml) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void theShippedRoutesPass() throws IOException {
    try (var files = Files.list(Path.of("routes"))) {
      assertThat(RouteFiles.check(files.sorted().toList()))
          .as("routes and route templates in routes/")
          .isEqualTo(13);
    }
  }

  @Test
  void brokenYamlNamesItsLine() throws IOException {
    Path file =
        write(
            "bad.yaml",
            """
            - route:
                id: a
                from:
                  uri: direct:a
                  steps: [ { log: "x" }
            """);
    assertThatThrownBy(() -> RouteFiles.check(List.of(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ":6: invalid YAML");
  }

  @Test
  void anUnknownTopLevelEntryIsNamed() throws IOException {
    Path file =
        write(
            "bad.yaml",
            """
            - route:
                id: a
                from: { uri: direct:a, steps: [] }
            - rout:
                id: b
            """);
    assertThatThrownBy(() -> RouteFiles.check(List.of(file)))
        .hasMessageStartingWith(file + ":4: unknown key '[1].rout'");
  }

  @Test
  void aRouteWithoutFromUriIsRefused() throws IOException {
    Path file =
        write(
            "bad.yaml",
            """
            - route:
                id: a
                from:
                  steps: []
            """);
    assertThatThrownBy(() -> RouteFiles.check(List.of(file)))
        .hasMessage(file + ":4: missing required key '[0].route.from.uri'");
  }

  @Test
  void aDirectEndpointNobodyReadsIsCaughtBeforeTheFirstMessage() throws IOException {
    Path a =
        write(
            "a.yaml",
            """
            - route:
                id: a
                from:
                  uri: direct:a
                  steps:
                    - filter:
                        simple: "${body} != null"
                        steps:
                          - to: direct:enrichh
            """);
    Path b =
        write(
            "b.yaml",
            """
            - route:
                id: enrich
                from: { uri: direct:enrich, steps: [] }
            """);
    assertThatThrownBy(() -> RouteFiles.check(List.of(a, b)))
        .hasMessage(
            a
                + ":9: 'direct:enrichh' has no route reading from it (routes read from: direct:a,"
                + " direct:enrich)");
  }

  @Test
  void duplicateRouteIdsAcrossFilesAreRefused() throws IOException {
    Path a = write("a.yaml", "- route: { id: x, from: { uri: direct:a, steps: [] } }\n");
    Path b = write("b.yaml", "\n- route: { id: x, from: { uri: direct:b, steps: [] } }\n");
    assertThatThrownBy(() -> RouteFiles.check(List.of(a, b)))
        .hasMessage(b + ":2: route id 'x' is already used at " + a + ":1");
  }

  @Test
  void anUnknownRouteConfigurationIsNamed() throws IOException {
    Path file =
        write(
            "bad.yaml",
            """
            - route:
                id: a
                routeConfigurationId: record-stag
                from: { uri: direct:a, steps: [] }
            """);
    assertThatThrownBy(() -> RouteFiles.check(List.of(file)))
        .hasMessageStartingWith(file + ":3: routeConfigurationId 'record-stag' names no");
  }

  @Test
  void theCatalogRefusesABadRouteFileAtStartUp() throws IOException {
    Files.createDirectories(dir.resolve("routes"));
    Path file = dir.resolve("routes/x.yaml");
    Files.writeString(file, "route: {}\n");
    assertThatThrownBy(() -> ConfigCatalog.load(dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ":1: a route file is a list");
  }
}

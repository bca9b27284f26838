package io.aix.profile;

import io.aix.mapping.MappingLoader;
import io.aix.mapping.MappingProfile;
import io.aix.scoring.ScoringProfile;
import io.aix.scoring.ScoringProfileLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Everything admins and integration teams configure, loaded and cross-checked as one unit: {@code
 * crm-profiles/*.yaml}, {@code crm-profiles/scoring/*.yaml} and {@code mappings/*.yaml}, with
 * {@code routes/*.yaml} checked by {@link RouteFiles}. Either the whole catalog is valid or {@link
 * #load(Path)} throws the first {@code file:line} problem.
 */
public record ConfigCatalog(
    Map<String, CrmProfile> profiles,
    Map<String, MappingProfile> mappings,
    Map<String, ScoringProfile> scoringProfiles) {

  public static ConfigCatalog load(Path root) {
    Checked checked = check(root, null);
    if (!checked.problems().isEmpty()) {
      throw checked.problems().get(0);
    }
    return checked.catalog();
  }

  /**
   * The outcome of checking a configuration directory: every problem found (each file's first
   * problem and every broken reference between files), the catalog of what loaded, and the number
   * of routes and route templates.
   */
  public record Checked(ConfigCatalog catalog, List<ConfigException> problems, int routes) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  /**
   * Checks everything below {@code root} and reports every problem rather than the first. {@code
   * beans} (bean name to class) also checks the routes' {@code bean:} steps; {@code null} skips
   * that.
   */
  public static Checked check(Path root, Map<String, Class<?>> beans) {
    List<ConfigException> problems = new ArrayList<>();
    int routes = RouteFiles.check(yamlFiles(root.resolve("routes")), beans, problems);
    // Ids of files that failed to load: a reference to one is not a second problem.
    java.util.Set<String> broken = new java.util.HashSet<>();
    int before = problems.size();
    Map<String, MappingProfile> mappings =
        readAll(
            root.resolve("mappings"),
            MappingLoader::load,
            MappingProfile::id,
            MappingProfile::file,
            problems,
            broken);
    String mappingHint =
        problems.size() > before ? "; a mapping file that failed to load is reported too" : "";
    before = problems.size();
    Map<String, ScoringProfile> scoring =
        readAll(
            root.resolve("crm-profiles").resolve("scoring"),
            ScoringProfileLoader::load,
            ScoringProfile::id,
            ScoringProfile::file,
            problems,
            broken);
    String scoringHint =
        problems.size() > before
            ? "; a scoring profile file that failed to load is reported too"
            : "";
    Map<String, CrmProfile> profiles = new LinkedHashMap<>();
    for (Path file : yamlFiles(root.resolve("crm-profiles"))) {
      try {
        ConfigNode doc = ConfigNode.read(file);
        CrmProfile profile = ProfileLoader.load(doc);
        if (profiles.containsKey(profile.id())) {
          throw doc.get("id")
              .error(
                  "profile id '"
                      + profile.id()
                      + "' is already used by "
                      + profiles.get(profile.id()).file());
        }
        Long portal = profile.connection().portalId();
        if (portal != null) {
          for (CrmProfile other : profiles.values()) {
            if (portal.equals(other.connection().portalId())) {
              // One app URL serves every portal: an event is routed by its portalId alone.
              throw doc.get("connection")
                  .get("portalId")
                  .error(
                      "portal "
                          + portal
                          + " is already declared by "
                          + other.file()
                          + "; HubSpot events are routed by portal, one profile per portal");
            }
          }
        }
        for (int i = 0; i < profile.objects().size(); i++) {
          CrmProfile.ObjectSync object = profile.objects().get(i);
          ConfigNode objectNode = doc.get("objects").list().get(i);
          MappingProfile mapping = mappings.get(object.mapping());
          if (mapping == null && broken.contains(object.mapping())) {
            continue;
          }
          if (mapping == null) {
            problems.add(
                objectNode
                    .get("mapping")
                    .error(
                        "mapping '"
                            + object.mapping()
                            + "' does not exist (known: "
                            + String.join(", ", mappings.keySet())
                            + mappingHint
                            + ")"));
          } else if (!mapping.crm().equals(profile.type())
              || !mapping.object().equals(object.name())) {
            problems.add(
                objectNode
                    .get("mapping")
                    .error(
                        "mapping '"
                            + mapping.id()
                            + "' is for "
                            + mapping.crm()
                            + " "
                            + mapping.object()
                            + ", not "
                            + profile.type()
                            + " "
                            + object.name()));
          }
        }
        if (!scoring.containsKey(profile.scoringProfile())
            && !broken.contains(profile.scoringProfile())) {
          problems.add(
              doc.opt("scoring")
                  .orElse(doc)
                  .error(
                      "scoring profile '"
                          + profile.scoringProfile()
                          + "' does not exist in crm-profiles/scoring/ (known: "
                          + String.join(", ", scoring.keySet())
                          + scoringHint
                          + ")"));
        }
        profiles.put(profile.id(), profile);
      } catch (ConfigException e) {
        problems.add(e);
      }
    }
    return new Checked(
        new ConfigCatalog(Map.copyOf(profiles), Map.copyOf(mappings), Map.copyOf(scoring)),
        List.copyOf(problems),
        routes);
  }

  /**
   * Everything {@code ./aix validate} and hot reload check: {@link #check} plus Camel's own route
   * DSL check of {@code routes/}, all problems sorted by file and line.
   */
  public static Checked checkAll(Path root, Map<String, Class<?>> beans) {
    Checked checked = check(root, beans);
    List<ConfigException> problems = new ArrayList<>(checked.problems());
    problems.addAll(RouteDsl.check(root.resolve("routes")));
    problems.sort(
        java.util.Comparator.comparing(ConfigException::file)
            .thenComparingInt(ConfigException::line));
    return new Checked(checked.catalog(), List.copyOf(problems), checked.routes());
  }

  private static <T> Map<String, T> readAll(
      Path dir,
      Function<ConfigNode, T> loader,
      Function<T, String> id,
      Function<T, String> file,
      List<ConfigException> problems,
      java.util.Set<String> broken) {
    Map<String, T> result = new LinkedHashMap<>();
    for (Path path : yamlFiles(dir)) {
      try {
        ConfigNode doc = ConfigNode.read(path);
        T item = loader.apply(doc);
        T previous = result.putIfAbsent(id.apply(item), item);
        if (previous != null) {
          throw doc.get("id")
              .error("id '" + id.apply(item) + "' is already used by " + file.apply(previous));
        }
      } catch (ConfigException e) {
        problems.add(e);
        // Its id, when the file parses that far: references to it are not reported again.
        try {
          ConfigNode.read(path).optString("id").ifPresent(broken::add);
        } catch (ConfigException unreadable) {
          // already reported
        }
      }
    }
    return result;
  }

  private static List<Path> yamlFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(
              p ->
                  p.getFileName().toString().endsWith(".yaml")
                      || p.getFileName().toString().endsWith(".yml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public CrmProfile profile(String id) {
    return Optional.ofNullable(profiles.get(id))
        .orElseThrow(() -> new IllegalArgumentException("no CRM profile '" + id + "'"));
  }

  public MappingProfile mapping(String id) {
    return mappings.get(id);
  }

  public ScoringProfile scoring(String id) {
    return scoringProfiles.get(id);
  }
}

package io.aix.profile;

import io.aix.mapping.MappingLoader;
import io.aix.mapping.MappingProfile;
import io.aix.scoring.ScoringProfile;
import io.aix.scoring.ScoringProfileLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    RouteFiles.check(yamlFiles(root.resolve("routes")));
    Map<String, MappingProfile> mappings =
        readAll(
            root.resolve("mappings"),
            MappingLoader::load,
            MappingProfile::id,
            MappingProfile::file);
    Map<String, ScoringProfile> scoring =
        readAll(
            root.resolve("crm-profiles").resolve("scoring"),
            ScoringProfileLoader::load,
            ScoringProfile::id,
            ScoringProfile::file);
    Map<String, CrmProfile> profiles = new LinkedHashMap<>();
    for (Path file : yamlFiles(root.resolve("crm-profiles"))) {
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
      for (int i = 0; i < profile.objects().size(); i++) {
        CrmProfile.ObjectSync object = profile.objects().get(i);
        ConfigNode objectNode = doc.get("objects").list().get(i);
        MappingProfile mapping = mappings.get(object.mapping());
        if (mapping == null) {
          throw objectNode
              .get("mapping")
              .error(
                  "mapping '"
                      + object.mapping()
                      + "' does not exist (known: "
                      + String.join(", ", mappings.keySet())
                      + ")");
        }
        if (!mapping.crm().equals(profile.type()) || !mapping.object().equals(object.name())) {
          throw objectNode
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
                      + object.name());
        }
      }
      if (!scoring.containsKey(profile.scoringProfile())) {
        throw doc.opt("scoring")
            .orElse(doc)
            .error(
                "scoring profile '"
                    + profile.scoringProfile()
                    + "' does not exist in crm-profiles/scoring/ (known: "
                    + String.join(", ", scoring.keySet())
                    + ")");
      }
      profiles.put(profile.id(), profile);
    }
    return new ConfigCatalog(Map.copyOf(profiles), Map.copyOf(mappings), Map.copyOf(scoring));
  }

  private static <T> Map<String, T> readAll(
      Path dir, Function<ConfigNode, T> loader, Function<T, String> id, Function<T, String> file) {
    Map<String, T> result = new LinkedHashMap<>();
    for (Path path : yamlFiles(dir)) {
      ConfigNode doc = ConfigNode.read(path);
      T item = loader.apply(doc);
      T previous = result.putIfAbsent(id.apply(item), item);
      if (previous != null) {
        throw doc.get("id")
            .error("id '" + id.apply(item) + "' is already used by " + file.apply(previous));
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

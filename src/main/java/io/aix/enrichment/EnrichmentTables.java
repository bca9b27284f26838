package io.aix.enrichment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The data behind enrichment, read from {@code src/main/resources/enrichment/}: adding a free-mail
 * domain, a title pattern or a country alias is a one-line data change, not a code change.
 */
public final class EnrichmentTables {
  /** A title pattern and what it implies. */
  public record TitleRule(Pattern pattern, String kind, String value) {}

  final Set<String> freeMail;
  final Set<String> disposable;
  final List<TitleRule> titleRules;
  final Map<String, String> countries;

  EnrichmentTables(
      Set<String> freeMail,
      Set<String> disposable,
      List<TitleRule> titleRules,
      Map<String, String> countries) {
    this.freeMail = freeMail;
    this.disposable = disposable;
    this.titleRules = titleRules;
    this.countries = countries;
  }

  public static EnrichmentTables load() {
    Set<String> freeMail = new HashSet<>(lines("free-mail-domains.txt"));
    Set<String> disposable = new HashSet<>(lines("disposable-domains.txt"));
    List<TitleRule> titles = new ArrayList<>();
    for (String line : lines("titles.csv")) {
      int last = line.lastIndexOf(',');
      int middle = line.lastIndexOf(',', last - 1);
      titles.add(
          new TitleRule(
              Pattern.compile(line.substring(0, middle), Pattern.CASE_INSENSITIVE),
              line.substring(middle + 1, last),
              line.substring(last + 1)));
    }
    Map<String, String> countries = new HashMap<>();
    for (String line : lines("countries.csv")) {
      int comma = line.lastIndexOf(',');
      countries.put(line.substring(0, comma).toLowerCase(Locale.ROOT), line.substring(comma + 1));
    }
    return new EnrichmentTables(freeMail, disposable, List.copyOf(titles), Map.copyOf(countries));
  }

  private static List<String> lines(String name) {
    String resource = "/enrichment/" + name;
    try (InputStream in = EnrichmentTables.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("enrichment table missing from the build: " + resource);
      }
      List<String> out = new ArrayList<>();
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String trimmed = line.strip();
        if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
          out.add(trimmed);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

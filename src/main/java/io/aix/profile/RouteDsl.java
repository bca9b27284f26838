package io.aix.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * Camel's own YAML DSL check of route files, run in a scratch Camel context that is never started:
 * unknown step fields, steps in the wrong place, endpoint URIs Camel cannot parse. Its errors name
 * {@code file, line}; they come back as {@link ConfigException}s like AIX's own checks.
 */
public final class RouteDsl {
  private static final Pattern WHERE = Pattern.compile("in file:([^,]+), line (\\d+)");

  private RouteDsl() {}

  /** One problem per route file that Camel refuses; none when {@code dir} is missing. */
  public static List<ConfigException> check(Path dir) {
    List<ConfigException> problems = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return problems;
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path file : files) {
      checkFile(file).ifPresent(problems::add);
    }
    return problems;
  }

  static java.util.Optional<ConfigException> checkFile(Path file) {
    // AIX's own parse first: broken YAML is reported by RouteFiles with its line.
    try {
      ConfigNode.read(file);
    } catch (ConfigException e) {
      return java.util.Optional.empty();
    }
    try (DefaultCamelContext scratch = new DefaultCamelContext(false)) {
      scratch.build();
      PluginHelper.getRoutesLoader(scratch)
          .loadRoutes(ResourceHelper.resolveResource(scratch, "file:" + file));
      // Building the definitions (not starting them) is where Camel checks each step.
      return java.util.Optional.empty();
    } catch (Exception e) {
      return java.util.Optional.of(describe(file, e));
    }
  }

  static ConfigException describe(Path file, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      Matcher m = WHERE.matcher(message);
      if (m.find()) {
        String what = message.substring(0, m.start()).strip();
        if (what.isEmpty()) {
          what = message.lines().findFirst().orElse(message);
        }
        return new ConfigException(file.toString(), Integer.parseInt(m.group(2)), "Camel: " + what);
      }
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return new ConfigException(
        file.toString(),
        1,
        "Camel refuses this file: " + root.getClass().getSimpleName() + ": " + root.getMessage());
  }
}

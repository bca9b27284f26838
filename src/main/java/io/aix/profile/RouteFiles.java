package io.aix.profile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks {@code routes/*.yaml} before Camel loads them, for the mistakes Camel would only report
 * late or not at all: YAML syntax, unknown top-level entries, a route without a {@code from.uri},
 * duplicate route ids, a {@code to: direct:x} with no route consuming {@code direct:x} (Camel fails
 * that at run time, on the first message) and a {@code routeConfigurationId} that names no route
 * configuration. Camel's own YAML DSL validation (unknown step fields and the like) still runs when
 * the routes load, and also reports {@code file, line}.
 */
public final class RouteFiles {
  /** Top-level entries of the Camel YAML DSL. */
  static final Set<String> TOP_LEVEL =
      Set.of(
          "route",
          "routeTemplate",
          "templatedRoute",
          "routeConfiguration",
          "from",
          "beans",
          "rest",
          "errorHandler",
          "onException",
          "intercept",
          "interceptFrom",
          "interceptSendToEndpoint",
          "onCompletion");

  private RouteFiles() {}

  /** Checks every route file in {@code dir}; returns the number of routes and templates found. */
  public static int check(List<Path> files) {
    List<ConfigNode> entries = new ArrayList<>();
    for (Path file : files) {
      ConfigNode doc = ConfigNode.read(file);
      if (!doc.isList()) {
        throw doc.error("a route file is a list of entries (- route: ..., - routeTemplate: ...)");
      }
      entries.addAll(doc.list());
    }
    Map<String, ConfigNode> ids = new LinkedHashMap<>();
    Set<String> configurations = new TreeSet<>();
    Set<String> consumed = new TreeSet<>();
    List<ConfigNode> producers = new ArrayList<>();
    List<ConfigNode> configRefs = new ArrayList<>();
    int routes = 0;
    for (ConfigNode entry : entries) {
      List<String> keys = entry.keys();
      if (keys.size() != 1) {
        throw entry.error("each entry has exactly one key, such as 'route:' (found " + keys + ")");
      }
      entry.allowOnly(TOP_LEVEL);
      String kind = keys.get(0);
      ConfigNode body = entry.get(kind);
      if (kind.equals("routeConfiguration")) {
        body.optString("id").ifPresent(configurations::add);
      }
      if (kind.equals("route") || kind.equals("routeTemplate")) {
        routes++;
        ConfigNode from = body.get("from");
        String uri = from.string("uri");
        if (uri.startsWith("direct:")) {
          consumed.add(uri);
        }
        body.opt("id")
            .ifPresent(
                id -> {
                  ConfigNode previous = ids.putIfAbsent(id.text(), id);
                  if (previous != null) {
                    throw id.error(
                        "route id '"
                            + id.text()
                            + "' is already used at "
                            + previous.file()
                            + ":"
                            + previous.line());
                  }
                });
        body.opt("routeConfigurationId").ifPresent(configRefs::add);
        collectProducers(from, producers);
      }
    }
    for (ConfigNode ref : configRefs) {
      if (!configurations.contains(ref.text())) {
        throw ref.error(
            "routeConfigurationId '"
                + ref.text()
                + "' names no routeConfiguration (known: "
                + String.join(", ", configurations)
                + ")");
      }
    }
    for (ConfigNode to : producers) {
      String uri = endpointUri(to);
      String base = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
      if (base.startsWith("direct:") && !consumed.contains(base)) {
        throw to.error(
            "'"
                + base
                + "' has no route reading from it (routes read from: "
                + String.join(", ", consumed)
                + ")");
      }
    }
    return routes;
  }

  private static String endpointUri(ConfigNode to) {
    return to.isScalar() ? to.text().trim() : to.optString("uri").orElse("");
  }

  /** Every {@code to:} below {@code node}, however deeply nested in splits, filters, tries. */
  private static void collectProducers(ConfigNode node, List<ConfigNode> out) {
    if (node.isList()) {
      for (ConfigNode item : node.list()) {
        collectProducers(item, out);
      }
    } else if (node.isMap()) {
      for (String key : node.keys()) {
        ConfigNode child = node.opt(key).orElse(null);
        if (child == null) {
          continue;
        }
        if (key.equals("to")) {
          out.add(child);
        } else {
          collectProducers(child, out);
        }
      }
    }
  }
}

package io.aix.profile;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks {@code routes/*.yaml} before Camel loads them, for the mistakes Camel would only report
 * late or not at all: YAML syntax, unknown top-level entries, a route without a {@code from.uri},
 * duplicate route ids, a {@code to: direct:x} with no route consuming {@code direct:x} (Camel fails
 * that at run time, on the first message), a {@code routeConfigurationId} that names no route
 * configuration and, when the application's beans are known, a {@code bean:} step naming no bean or
 * no method of it. Camel's own YAML DSL validation (unknown step fields and the like) still runs
 * when the routes load, and also reports {@code file, line}.
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

  /**
   * Checks every route file; returns the number of routes and templates found, or throws the first
   * problem.
   */
  public static int check(List<Path> files) {
    List<ConfigException> problems = new ArrayList<>();
    int routes = check(files, null, problems);
    if (!problems.isEmpty()) {
      throw problems.get(0);
    }
    return routes;
  }

  /**
   * Checks every route file and adds each problem to {@code problems} (a file that does not parse
   * is one problem; the others are still checked). {@code beans} maps the application's bean names
   * to their classes; {@code null} skips the bean check.
   */
  public static int check(
      List<Path> files, Map<String, Class<?>> beans, List<ConfigException> problems) {
    List<ConfigNode> entries = new ArrayList<>();
    for (Path file : files) {
      try {
        ConfigNode doc = ConfigNode.read(file);
        if (!doc.isList()) {
          throw doc.error("a route file is a list of entries (- route: ..., - routeTemplate: ...)");
        }
        entries.addAll(doc.list());
      } catch (ConfigException e) {
        problems.add(e);
      }
    }
    Map<String, ConfigNode> ids = new LinkedHashMap<>();
    Set<String> configurations = new TreeSet<>();
    Set<String> consumed = new TreeSet<>();
    List<ConfigNode> producers = new ArrayList<>();
    List<ConfigNode> beanSteps = new ArrayList<>();
    List<ConfigNode> configRefs = new ArrayList<>();
    int routes = 0;
    for (ConfigNode entry : entries) {
      try {
        List<String> keys = entry.keys();
        if (keys.size() != 1) {
          throw entry.error(
              "each entry has exactly one key, such as 'route:' (found " + keys + ")");
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
          collect(from, producers, beanSteps);
        }
      } catch (ConfigException e) {
        problems.add(e);
      }
    }
    for (ConfigNode ref : configRefs) {
      if (!configurations.contains(ref.text())) {
        problems.add(
            ref.error(
                "routeConfigurationId '"
                    + ref.text()
                    + "' names no routeConfiguration (known: "
                    + String.join(", ", configurations)
                    + ")"));
      }
    }
    for (ConfigNode to : producers) {
      String uri = endpointUri(to);
      String base = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
      if (base.startsWith("direct:") && !consumed.contains(base)) {
        problems.add(
            to.error(
                "'"
                    + base
                    + "' has no route reading from it (routes read from: "
                    + String.join(", ", consumed)
                    + ")"));
      }
      if (beans != null && base.startsWith("bean:")) {
        String method = null;
        int q = uri.indexOf("method=");
        if (q >= 0) {
          method = uri.substring(q + "method=".length()).split("&", 2)[0];
        }
        checkBean(to, base.substring("bean:".length()), method, to, beans, problems);
      }
    }
    if (beans != null) {
      for (ConfigNode step : beanSteps) {
        if (step.isScalar()) {
          checkBean(step, step.text().trim(), null, step, beans, problems);
        } else if (step.isMap() && step.has("ref")) {
          checkBean(
              step.get("ref"),
              step.string("ref"),
              step.optString("method").orElse(null),
              step.opt("method").orElse(step),
              beans,
              problems);
        }
      }
    }
    return routes;
  }

  private static void checkBean(
      ConfigNode where,
      String name,
      String method,
      ConfigNode methodWhere,
      Map<String, Class<?>> beans,
      List<ConfigException> problems) {
    if (name.contains("{{")) {
      return; // a template parameter, known only when the route is made
    }
    Class<?> type = beans.get(name);
    if (type == null) {
      problems.add(
          where.error(
              "bean '"
                  + name
                  + "' does not exist (AIX's beans: "
                  + String.join(
                      ", ",
                      beans.entrySet().stream()
                          .filter(e -> e.getValue().getName().startsWith("io.aix."))
                          .map(Map.Entry::getKey)
                          .sorted()
                          .toList())
                  + ")"));
      return;
    }
    if (method != null && !method.contains("{{")) {
      String bare = method.contains("(") ? method.substring(0, method.indexOf('(')) : method;
      Set<String> methods = new TreeSet<>();
      for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
        Arrays.stream(c.getDeclaredMethods())
            .filter(m -> Modifier.isPublic(m.getModifiers()) && !m.isSynthetic())
            .map(Method::getName)
            .forEach(methods::add);
      }
      if (!methods.contains(bare)) {
        problems.add(
            methodWhere.error(
                "bean '"
                    + name
                    + "' has no public method '"
                    + bare
                    + "' (it has: "
                    + String.join(", ", methods)
                    + ")"));
      }
    }
  }

  private static String endpointUri(ConfigNode to) {
    return to.isScalar() ? to.text().trim() : to.optString("uri").orElse("");
  }

  /** Every {@code to:} and {@code bean:} below {@code node}, however deeply nested. */
  private static void collect(ConfigNode node, List<ConfigNode> producers, List<ConfigNode> beans) {
    if (node.isList()) {
      for (ConfigNode item : node.list()) {
        collect(item, producers, beans);
      }
    } else if (node.isMap()) {
      for (String key : node.keys()) {
        ConfigNode child = node.opt(key).orElse(null);
        if (child == null) {
          continue;
        }
        if (key.equals("to")) {
          producers.add(child);
        } else if (key.equals("bean")) {
          beans.add(child);
        } else {
          collect(child, producers, beans);
        }
      }
    }
  }
}

package io.aix.profile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * A YAML node that remembers its file and line, so that every accessor can fail with {@code
 * file:line: what is wrong}. Profiles and mappings are read through this class only; it never
 * evaluates tags or anchors into objects (no YAML-driven object construction).
 */
public final class ConfigNode {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private final String file;
  private final Node node;
  private final String path;

  private ConfigNode(String file, Node node, String path) {
    this.file = file;
    this.node = node;
    this.path = path;
  }

  /** Reads a whole file; a YAML syntax error becomes a {@link ConfigException} at its line. */
  public static ConfigNode read(Path file) {
    String name = file.toString();
    try {
      return parse(name, Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException(name, 0, "cannot read file: " + e.getMessage());
    }
  }

  public static ConfigNode parse(String fileName, String text) {
    LoadSettings settings = LoadSettings.builder().setLabel(fileName).build();
    try {
      Composer composer =
          new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text)));
      Optional<Node> root = composer.getSingleNode();
      if (root.isEmpty()) {
        throw new ConfigException(fileName, 1, "the file is empty");
      }
      return new ConfigNode(fileName, root.get(), "");
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(1);
      throw new ConfigException(fileName, line, "invalid YAML: " + e.getProblem());
    } catch (YamlEngineException e) {
      throw new ConfigException(fileName, 1, "invalid YAML: " + e.getMessage());
    }
  }

  public String file() {
    return file;
  }

  /** One-based line of this node in its file. */
  public int line() {
    return node.getStartMark().map(m -> m.getLine() + 1).orElse(1);
  }

  public ConfigException error(String problem) {
    return new ConfigException(file, line(), problem);
  }

  private String where(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public boolean isMap() {
    return node instanceof MappingNode;
  }

  public boolean isList() {
    return node instanceof SequenceNode;
  }

  public boolean isScalar() {
    return node instanceof ScalarNode;
  }

  private Map<String, ConfigNode> entries() {
    if (!(node instanceof MappingNode mapping)) {
      throw error((path.isEmpty() ? "the document" : "'" + path + "'") + " must be a mapping");
    }
    Map<String, ConfigNode> result = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
        throw new ConfigNode(file, tuple.getKeyNode(), path).error("keys must be plain names");
      }
      String key = keyNode.getValue();
      if (result.containsKey(key)) {
        throw new ConfigNode(file, keyNode, path).error("duplicate key '" + where(key) + "'");
      }
      result.put(key, new ConfigNode(file, tuple.getValueNode(), where(key)));
    }
    return result;
  }

  /** Fails on any key that is not in {@code allowed}, naming the line of the stray key. */
  public ConfigNode allowOnly(Set<String> allowed) {
    if (!(node instanceof MappingNode mapping)) {
      entries();
      return this;
    }
    for (NodeTuple tuple : mapping.getValue()) {
      if (tuple.getKeyNode() instanceof ScalarNode key && !allowed.contains(key.getValue())) {
        throw new ConfigNode(file, key, path)
            .error(
                "unknown key '"
                    + where(key.getValue())
                    + "' (expected one of "
                    + String.join(", ", allowed.stream().sorted().toList())
                    + ")");
      }
    }
    return this;
  }

  public List<String> keys() {
    return new ArrayList<>(entries().keySet());
  }

  public boolean has(String key) {
    return entries().containsKey(key);
  }

  public Optional<ConfigNode> opt(String key) {
    ConfigNode child = entries().get(key);
    if (child == null || child.isNullScalar()) {
      return Optional.empty();
    }
    return Optional.of(child);
  }

  public ConfigNode get(String key) {
    return opt(key).orElseThrow(() -> error("missing required key '" + where(key) + "'"));
  }

  private boolean isNullScalar() {
    return node instanceof ScalarNode s
        && s.getTag().getValue().endsWith(":null")
        && (s.getValue().isEmpty() || s.getValue().equals("~") || s.getValue().equals("null"));
  }

  public List<ConfigNode> list() {
    if (!(node instanceof SequenceNode seq)) {
      throw error("'" + path + "' must be a list");
    }
    List<ConfigNode> result = new ArrayList<>();
    int i = 0;
    for (Node item : seq.getValue()) {
      result.add(new ConfigNode(file, item, path + "[" + i++ + "]"));
    }
    return result;
  }

  public List<ConfigNode> list(String key) {
    return opt(key).map(ConfigNode::list).orElse(List.of());
  }

  /** Scalar text of this node. */
  public String text() {
    if (!(node instanceof ScalarNode scalar)) {
      throw error("'" + path + "' must be a single value, not a list or mapping");
    }
    return scalar.getValue();
  }

  public String string(String key) {
    String value = get(key).text().trim();
    if (value.isEmpty()) {
      throw get(key).error("'" + where(key) + "' must not be empty");
    }
    return value;
  }

  public Optional<String> optString(String key) {
    return opt(key).map(ConfigNode::text).map(String::trim).filter(s -> !s.isEmpty());
  }

  public String string(String key, String fallback) {
    return optString(key).orElse(fallback);
  }

  public int integer(String key, int fallback, int min, int max) {
    Optional<ConfigNode> child = opt(key);
    if (child.isEmpty()) {
      return fallback;
    }
    return child.get().integer(min, max);
  }

  public int integer(int min, int max) {
    int value;
    try {
      value = Integer.parseInt(text().trim());
    } catch (NumberFormatException e) {
      throw error("'" + path + "' must be a whole number, not '" + text() + "'");
    }
    if (value < min || value > max) {
      throw error("'" + path + "' must be between " + min + " and " + max + ", not " + value);
    }
    return value;
  }

  public double number() {
    try {
      return Double.parseDouble(text().trim());
    } catch (NumberFormatException e) {
      throw error("'" + path + "' must be a number, not '" + text() + "'");
    }
  }

  public double number(String key, double fallback) {
    return opt(key).map(ConfigNode::number).orElse(fallback);
  }

  public boolean bool(String key, boolean fallback) {
    Optional<ConfigNode> child = opt(key);
    if (child.isEmpty()) {
      return fallback;
    }
    String value = child.get().text().trim();
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw child.get().error("'" + where(key) + "' must be true or false");
    };
  }

  /**
   * Durations are written like {@code 30s}, {@code 5m}, {@code 6h}, {@code 10d} or {@code 250ms}.
   */
  public Duration duration(String key, Duration fallback) {
    Optional<ConfigNode> child = opt(key);
    if (child.isEmpty()) {
      return fallback;
    }
    String value = child.get().text().trim();
    Matcher m = DURATION.matcher(value);
    if (!m.matches()) {
      throw child
          .get()
          .error(
              "'"
                  + where(key)
                  + "' must be a duration like 30s, 5m, 6h or 10d, not '"
                  + value
                  + "'");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  /** A mapping of plain values, for value tables such as {@code mapValues}. */
  public Map<String, String> stringMap() {
    Map<String, String> result = new LinkedHashMap<>();
    entries().forEach((k, v) -> result.put(k, v.text()));
    return result;
  }

  public List<String> stringList(String key) {
    return list(key).stream().map(ConfigNode::text).map(String::trim).toList();
  }

  public String path() {
    return path;
  }
}

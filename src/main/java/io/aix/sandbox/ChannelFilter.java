package io.aix.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The filter expression of a Change Data Capture channel member (PlatformEventChannelMember's
 * {@code filterExpression}), as Salesforce's Change Data Capture Developer Guide describes it
 * ("Filter Expression Format", "Change Event Filters", "Field Considerations"): field expressions
 * {@code <field> <operator> <value>} joined by AND or OR, with parentheses; operators =, !=, &lt;,
 * &lt;=, &gt;, &gt;=, LIKE (% and _), IN and NOT IN; text values in single quotes and compared
 * without regard to case; ChangeEventHeader fields by {@code ChangeEventHeader.<name>}, except the
 * array fields (recordIds, changedFields, diffFields, nulledFields), which the guide says cannot be
 * filtered on.
 *
 * <p>Stricter than Salesforce where the guide is silent or the sandbox cannot follow: AND and OR
 * mixed without parentheses are refused (as SOQL refuses them); record fields are refused, since
 * the sandbox's events carry only the changed values and Salesforce enriches filtered fields.
 */
final class ChannelFilter {
  private static final Set<String> HEADER_FIELDS =
      Set.of(
          "entityName",
          "changeType",
          "changeOrigin",
          "transactionKey",
          "sequenceNumber",
          "commitTimestamp",
          "commitNumber",
          "commitUser");
  private static final Set<String> ARRAY_FIELDS =
      Set.of("recordIds", "changedFields", "diffFields", "nulledFields");
  private static final Pattern TOKEN =
      Pattern.compile(
          "\\s*(?:(?<str>'(?:\\\\.|[^'\\\\])*')|(?<op>!=|<=|>=|=|<|>|\\(|\\)|,)"
              + "|(?<word>[A-Za-z0-9_.:+-]+))");

  private final String expression;
  private final Node root;

  private ChannelFilter(String expression, Node root) {
    this.expression = expression;
    this.root = root;
  }

  /**
   * Reads a filter expression.
   *
   * @throws IllegalArgumentException saying what is wrong and where
   */
  static ChannelFilter parse(String expression) {
    if (expression == null || expression.isBlank()) {
      return new ChannelFilter("", header -> true);
    }
    Parser p = new Parser(expression);
    Node root = p.expression();
    if (p.peek() != null) {
      throw p.error("unexpected '" + p.peek() + "'");
    }
    return new ChannelFilter(expression, root);
  }

  /** Whether an event with this ChangeEventHeader is delivered on the channel. */
  boolean test(JsonNode header) {
    return root.test(header);
  }

  @Override
  public String toString() {
    return expression;
  }

  private interface Node {
    boolean test(JsonNode header);
  }

  private static final class Parser {
    private final String text;
    private final List<String> tokens = new ArrayList<>();
    private int at;

    Parser(String text) {
      this.text = text;
      var m = TOKEN.matcher(text);
      int pos = 0;
      while (pos < text.length()) {
        if (text.substring(pos).isBlank()) {
          break;
        }
        if (!m.find(pos) || m.start() != pos) {
          throw new IllegalArgumentException(
              "filterExpression '" + text + "': cannot read from '" + text.substring(pos) + "'");
        }
        String t = m.group("str") != null ? m.group("str") : m.group("op");
        tokens.add(t != null ? t : m.group("word"));
        pos = m.end();
      }
    }

    String peek() {
      return at < tokens.size() ? tokens.get(at) : null;
    }

    String next() {
      String t = peek();
      if (t == null) {
        throw error("the expression ends too early");
      }
      at++;
      return t;
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException("filterExpression '" + text + "': " + what);
    }

    Node expression() {
      List<Node> terms = new ArrayList<>();
      terms.add(term());
      String joiner = null;
      while (peek() != null && (is("AND") || is("OR"))) {
        String j = next().toUpperCase(Locale.ROOT);
        if (joiner != null && !joiner.equals(j)) {
          throw error("AND and OR mixed without parentheses");
        }
        joiner = j;
        terms.add(term());
      }
      if (terms.size() == 1) {
        return terms.get(0);
      }
      List<Node> all = List.copyOf(terms);
      return "AND".equals(joiner)
          ? h -> all.stream().allMatch(n -> n.test(h))
          : h -> all.stream().anyMatch(n -> n.test(h));
    }

    private boolean is(String word) {
      return word.equalsIgnoreCase(peek());
    }

    private Node term() {
      if ("(".equals(peek())) {
        next();
        Node inner = expression();
        if (!")".equals(next())) {
          throw error("')' expected");
        }
        return inner;
      }
      String field = next();
      if (!field.startsWith("ChangeEventHeader.")) {
        throw error(
            "'"
                + field
                + "': the sandbox org filters on ChangeEventHeader fields only (Salesforce also"
                + " takes record fields, enriched into the event)");
      }
      String name = field.substring("ChangeEventHeader.".length());
      if (ARRAY_FIELDS.stream().anyMatch(name::equalsIgnoreCase)) {
        throw error("'" + field + "' is an array field, which a filter cannot use");
      }
      String known = HEADER_FIELDS.stream().filter(name::equalsIgnoreCase).findFirst().orElse(null);
      if (known == null) {
        throw error("'" + field + "' is not a ChangeEventHeader field");
      }
      String op = next().toUpperCase(Locale.ROOT);
      if (op.equals("NOT")) {
        if (!is("IN")) {
          throw error("NOT must be followed by IN");
        }
        next();
        List<String> values = list();
        return h -> !values.contains(text(h, known));
      }
      if (op.equals("IN")) {
        List<String> values = list();
        return h -> values.contains(text(h, known));
      }
      String value = value(next());
      return switch (op) {
        case "=" -> h -> value.equals(text(h, known));
        case "!=" -> h -> !value.equals(text(h, known));
        case "LIKE" -> {
          Pattern like = like(value);
          yield h -> like.matcher(text(h, known)).matches();
        }
        case "<", "<=", ">", ">=" -> h -> compare(op, text(h, known), value);
        default -> throw error("unknown operator '" + op + "'");
      };
    }

    private List<String> list() {
      if (!"(".equals(next())) {
        throw error("IN takes a list in parentheses");
      }
      List<String> values = new ArrayList<>();
      while (true) {
        values.add(value(next()));
        String t = next();
        if (t.equals(")")) {
          return values;
        }
        if (!t.equals(",")) {
          throw error("',' or ')' expected in an IN list");
        }
      }
    }

    private String value(String token) {
      if (token.startsWith("'")) {
        return token.substring(1, token.length() - 1).replace("\\'", "'").toLowerCase(Locale.ROOT);
      }
      if (token.matches("-?\\d+(\\.\\d+)?|true|false|null")) {
        return token.toLowerCase(Locale.ROOT);
      }
      throw error("'" + token + "' is not a value: text goes in single quotes");
    }
  }

  private static String text(JsonNode header, String field) {
    JsonNode v = header.path(field);
    return v.isMissingNode() || v.isNull() ? "null" : v.asText().toLowerCase(Locale.ROOT);
  }

  private static boolean compare(String op, String actual, String expected) {
    int c;
    try {
      c = new java.math.BigDecimal(actual).compareTo(new java.math.BigDecimal(expected));
    } catch (NumberFormatException e) {
      c = actual.compareTo(expected);
    }
    return switch (op) {
      case "<" -> c < 0;
      case "<=" -> c <= 0;
      case ">" -> c > 0;
      default -> c >= 0;
    };
  }

  private static Pattern like(String value) {
    StringBuilder regex = new StringBuilder();
    for (char ch : value.toCharArray()) {
      switch (ch) {
        case '%' -> regex.append(".*");
        case '_' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}

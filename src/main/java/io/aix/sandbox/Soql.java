package io.aix.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SOQL subset the sandbox org answers: {@code SELECT f, ... FROM Object [WHERE f op value [AND
 * ...]] [ORDER BY f [ASC|DESC], ...] [LIMIT n]}, with values that are date-time literals, numbers,
 * quoted strings, {@code null}, {@code true} or {@code false}, and {@code f IN (v, ...)}. Enough
 * for AIX's connector and for reading results back; anything else is a {@code MALFORMED_QUERY}, as
 * in a real org.
 */
record Soql(
    List<String> fields, String object, List<Condition> where, List<Order> orderBy, Integer limit) {

  record Condition(String field, String op, Object value) {}

  record Order(String field, boolean descending) {}

  static final class MalformedQueryException extends RuntimeException {
    MalformedQueryException(String message) {
      super(message);
    }
  }

  private static final Pattern QUERY =
      Pattern.compile(
          "(?is)\\s*SELECT\\s+(.+?)\\s+FROM\\s+(\\w+)(?:\\s+WHERE\\s+(.+?))?(?:\\s+ORDER\\s+BY\\s+(.+?))?(?:\\s+LIMIT\\s+(\\d+))?\\s*");
  private static final Pattern CONDITION =
      Pattern.compile("(?s)\\s*(\\w+)\\s*(<=|>=|!=|=|<|>)\\s*('(?:[^'\\\\]|\\\\.)*'|[^\\s]+)\\s*");

  private static final Pattern IN_LIST = Pattern.compile("(?is)\\s*(\\w+)\\s+IN\\s*\\((.+)\\)\\s*");

  static Soql parse(String text) {
    Matcher m = QUERY.matcher(text);
    if (!m.matches()) {
      throw new MalformedQueryException("unexpected token: '" + firstWord(text) + "'");
    }
    List<String> fields = new ArrayList<>();
    for (String f : m.group(1).split(",")) {
      String field = f.strip();
      if (!field.matches("\\w+")) {
        throw new MalformedQueryException("unexpected token: '" + field + "'");
      }
      fields.add(field);
    }
    List<Condition> where = new ArrayList<>();
    if (m.group(3) != null) {
      for (String part : m.group(3).split("(?i)\\s+AND\\s+")) {
        Matcher in = IN_LIST.matcher(part);
        if (in.matches()) {
          List<Object> values = new ArrayList<>();
          for (String v : in.group(2).split(",")) {
            values.add(literal(v.strip()));
          }
          where.add(new Condition(in.group(1), "IN", values));
          continue;
        }
        Matcher c = CONDITION.matcher(part);
        if (!c.matches()) {
          throw new MalformedQueryException("unexpected token: '" + part.strip() + "'");
        }
        where.add(new Condition(c.group(1), c.group(2), literal(c.group(3))));
      }
    }
    List<Order> orderBy = new ArrayList<>();
    if (m.group(4) != null) {
      for (String part : m.group(4).split(",")) {
        String[] words = part.strip().split("\\s+");
        boolean desc = words.length > 1 && words[1].equalsIgnoreCase("DESC");
        orderBy.add(new Order(words[0], desc));
      }
    }
    Integer limit = m.group(5) == null ? null : Integer.valueOf(m.group(5));
    return new Soql(fields, m.group(2), where, orderBy, limit);
  }

  private static Object literal(String token) {
    if (token.startsWith("'")) {
      return token.substring(1, token.length() - 1).replace("\\'", "'");
    }
    String lower = token.toLowerCase(Locale.ROOT);
    if (lower.equals("null")) {
      return null;
    }
    if (lower.equals("true") || lower.equals("false")) {
      return Boolean.valueOf(lower);
    }
    if (token.matches("\\d{4}-\\d{2}-\\d{2}T.*")) {
      return SalesforceOrg.parseDateTime(token);
    }
    try {
      return new java.math.BigDecimal(token);
    } catch (NumberFormatException e) {
      throw new MalformedQueryException("unexpected token: '" + token + "'");
    }
  }

  private static String firstWord(String text) {
    String[] words = text.strip().split("\\s+");
    return words.length == 0 ? "" : words[0];
  }
}

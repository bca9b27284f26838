package io.aix.mapping;

import java.math.BigDecimal;
import java.net.IDN;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The closed list of value transforms a mapping may use. There is no scripting: a mapping is data,
 * and each transform is a small pure function that either returns the new value or says, in plain
 * words, why the value is not acceptable.
 */
public sealed interface Transform {

  /**
   * The names a mapping file may use; {@code mapValues}, {@code truncate} and {@code nullIf} take
   * an argument.
   */
  List<String> NAMES =
      List.of(
          "trim",
          "lowercase",
          "uppercase",
          "collapseSpaces",
          "email",
          "domain",
          "number",
          "integer",
          "boolean",
          "date",
          "datetime",
          "mapValues",
          "truncate",
          "nullIf");

  /**
   * @param value a String, BigDecimal, Long, Boolean, LocalDate or Instant; never null
   * @return the transformed value, or null when the value becomes empty
   * @throws InvalidValueException when the value cannot be accepted
   */
  Object apply(Object value);

  /** Thrown by a transform: the message says what is wrong with the value. */
  final class InvalidValueException extends RuntimeException {
    public InvalidValueException(String message) {
      super(message);
    }
  }

  private static String text(Object value) {
    return value.toString();
  }

  private static String quote(Object value) {
    String s = value.toString();
    if (s.length() > 40) {
      s = s.substring(0, 40) + "...";
    }
    return "'" + s + "'";
  }

  record Trim() implements Transform {
    public Object apply(Object value) {
      if (!(value instanceof String s)) {
        return value;
      }
      String trimmed = s.strip();
      return trimmed.isEmpty() ? null : trimmed;
    }
  }

  record Lowercase() implements Transform {
    public Object apply(Object value) {
      return value instanceof String s ? s.toLowerCase(Locale.ROOT) : value;
    }
  }

  record Uppercase() implements Transform {
    public Object apply(Object value) {
      return value instanceof String s ? s.toUpperCase(Locale.ROOT) : value;
    }
  }

  record CollapseSpaces() implements Transform {
    private static final Pattern SPACES = Pattern.compile("\\s+");

    public Object apply(Object value) {
      if (!(value instanceof String s)) {
        return value;
      }
      String stripped = s.strip();
      return single(stripped) ? stripped : SPACES.matcher(stripped).replaceAll(" ");
    }

    /**
     * Nothing for the pattern to collapse: no whitespace but single spaces (most names, titles).
     */
    static boolean single(String s) {
      boolean previous = false;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        boolean space =
            c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
        if (space && (c != ' ' || previous)) {
          return false;
        }
        previous = space;
      }
      return true;
    }
  }

  /**
   * Validates an e-mail address (RFC 5321 sizes, one @, a dotted domain) and lower-cases its
   * domain.
   */
  record Email() implements Transform {
    private static final Pattern LOCAL = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}");
    private static final Pattern LABEL =
        Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", Pattern.CASE_INSENSITIVE);

    public Object apply(Object value) {
      String s = text(value).strip();
      int at = s.lastIndexOf('@');
      if (at <= 0 || at == s.length() - 1 || s.indexOf('@') != at) {
        throw new InvalidValueException(quote(s) + " is not an e-mail address");
      }
      String local = s.substring(0, at);
      String domain;
      try {
        domain = IDN.toASCII(s.substring(at + 1), IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
      } catch (IllegalArgumentException e) {
        throw new InvalidValueException(quote(s) + " has an invalid domain");
      }
      String[] labels = domain.split("\\.", -1);
      boolean domainOk = labels.length >= 2 && labels[labels.length - 1].length() >= 2;
      for (String label : labels) {
        domainOk &= LABEL.matcher(label).matches();
      }
      if (!LOCAL.matcher(local).matches()
          || local.startsWith(".")
          || local.endsWith(".")
          || local.contains("..")
          || !domainOk
          || s.length() > 254) {
        throw new InvalidValueException(quote(s) + " is not a valid e-mail address");
      }
      return local + "@" + domain;
    }
  }

  /** Reduces a URL or an e-mail address to its host name without {@code www.}. */
  record Domain() implements Transform {
    // Compiled once: String.replaceFirst compiles its pattern on every call, for every lead.
    private static final Pattern SCHEME = Pattern.compile("^[a-z][a-z0-9+.-]*://");
    private static final Pattern AFTER_HOST = Pattern.compile("[/?#:].*$");
    private static final Pattern WWW = Pattern.compile("^www\\.");

    public Object apply(Object value) {
      String s = text(value).strip().toLowerCase(Locale.ROOT);
      int at = s.lastIndexOf('@');
      if (at >= 0) {
        s = s.substring(at + 1);
      }
      s = SCHEME.matcher(s).replaceFirst("");
      s = AFTER_HOST.matcher(s).replaceFirst("");
      s = WWW.matcher(s).replaceFirst("");
      if (s.isEmpty() || !s.contains(".") || s.contains(" ")) {
        throw new InvalidValueException(quote(value) + " does not contain a domain name");
      }
      return s;
    }
  }

  record NumberValue() implements Transform {
    public Object apply(Object value) {
      if (value instanceof BigDecimal) {
        return value;
      }
      if (value instanceof Long l) {
        return BigDecimal.valueOf(l);
      }
      if (value instanceof String s) {
        try {
          return new BigDecimal(s.strip().replace(",", ""));
        } catch (NumberFormatException e) {
          throw new InvalidValueException(quote(s) + " is not a number");
        }
      }
      throw new InvalidValueException(quote(value) + " is not a number");
    }
  }

  record IntegerValue() implements Transform {
    public Object apply(Object value) {
      BigDecimal n = (BigDecimal) new NumberValue().apply(value);
      try {
        return n.stripTrailingZeros().longValueExact();
      } catch (ArithmeticException e) {
        throw new InvalidValueException(quote(value) + " is not a whole number");
      }
    }
  }

  record BooleanValue() implements Transform {
    private static final Set<String> TRUE = Set.of("true", "yes", "y", "1");
    private static final Set<String> FALSE = Set.of("false", "no", "n", "0");

    public Object apply(Object value) {
      if (value instanceof Boolean) {
        return value;
      }
      String s = text(value).strip().toLowerCase(Locale.ROOT);
      if (TRUE.contains(s)) {
        return Boolean.TRUE;
      }
      if (FALSE.contains(s)) {
        return Boolean.FALSE;
      }
      throw new InvalidValueException(quote(value) + " is not true or false");
    }
  }

  /** ISO dates ({@code 2024-03-01}); a date-time is cut to its date. */
  record DateValue() implements Transform {
    public Object apply(Object value) {
      if (value instanceof LocalDate) {
        return value;
      }
      String s = text(value).strip();
      try {
        return s.length() > 10
            ? parseInstant(s).atOffset(java.time.ZoneOffset.UTC).toLocalDate()
            : LocalDate.parse(s);
      } catch (DateTimeParseException e) {
        throw new InvalidValueException(quote(s) + " is not a date (expected YYYY-MM-DD)");
      }
    }
  }

  /** ISO date-times with offset, including Salesforce's {@code 2024-03-01T10:00:00.000+0000}. */
  record DateTimeValue() implements Transform {
    public Object apply(Object value) {
      if (value instanceof Instant) {
        return value;
      }
      String s = text(value).strip();
      try {
        return parseInstant(s);
      } catch (DateTimeParseException e) {
        throw new InvalidValueException(quote(s) + " is not a date-time (expected ISO 8601)");
      }
    }
  }

  static Instant parseInstant(String s) {
    return io.aix.lead.IsoInstant.parse(s);
  }

  /**
   * Replaces known values through a table (matched case-insensitively); anything else becomes
   * {@code otherwise} when it is given, or stays as it is.
   */
  record MapValues(Map<String, String> table, String otherwise) implements Transform {
    public Object apply(Object value) {
      String s = text(value).strip();
      for (Map.Entry<String, String> e : table.entrySet()) {
        if (e.getKey().equalsIgnoreCase(s)) {
          return e.getValue();
        }
      }
      return otherwise != null ? otherwise : s;
    }
  }

  /**
   * Cuts a string to at most {@code length} characters (for free-text fields where a cut is fine).
   */
  record Truncate(int length) implements Transform {
    public Object apply(Object value) {
      if (value instanceof String s && s.length() > length) {
        int end = Character.isHighSurrogate(s.charAt(length - 1)) ? length - 1 : length;
        return s.substring(0, end);
      }
      return value;
    }
  }

  /** Treats placeholder values (for example {@code Select}, {@code N/A}) as absent. */
  record NullIf(Set<String> placeholders) implements Transform {
    public Object apply(Object value) {
      String s = text(value).strip();
      return placeholders.stream().anyMatch(p -> p.equalsIgnoreCase(s)) ? null : value;
    }
  }
}

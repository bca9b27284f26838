package io.aix.lead;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Pattern;

/**
 * ISO 8601 date-times as CRMs write them, with the offset as {@code Z}, {@code +00:00} or the
 * compact {@code +0000} Salesforce uses. Read once per record of every page (stamps, mapped dates,
 * signal times, the sandbox org's comparisons), so the UTC forms ({@code
 * 2026-11-26T04:23:20.000+0000}, {@code 2026-11-26T04:23:20Z}, any fraction of 1 to 9 digits) are
 * read digit by digit; anything else goes the general way, which also reports what is wrong. And
 * written as {@link Instant#toString()} writes them, without its formatter, for the inputs' hash.
 */
public final class IsoInstant {
  private static final Pattern COMPACT_OFFSET = Pattern.compile("([+-]\\d{2})(\\d{2})$");

  private IsoInstant() {}

  /**
   * @throws java.time.format.DateTimeParseException when the text is not such a date-time
   */
  public static Instant parse(String text) {
    if (text.length() >= 20) {
      Instant fast = utc(text);
      if (fast != null) {
        return fast;
      }
    }
    String s = COMPACT_OFFSET.matcher(text).replaceFirst("$1:$2");
    return s.endsWith("Z") ? Instant.parse(s) : OffsetDateTime.parse(s).toInstant();
  }

  /**
   * {@code yyyy-MM-ddTHH:mm:ss}, an optional fraction of 1 to 9 digits, and {@code Z}, {@code
   * +00:00} or {@code +0000}; null when the text is not that.
   */
  private static Instant utc(String t) {
    if (t.charAt(4) != '-'
        || t.charAt(7) != '-'
        || t.charAt(10) != 'T'
        || t.charAt(13) != ':'
        || t.charAt(16) != ':') {
      return null;
    }
    int end = t.length();
    int zone;
    if (t.charAt(end - 1) == 'Z') {
      zone = end - 1;
    } else if (t.endsWith("+00:00")) {
      zone = end - 6;
    } else if (t.endsWith("+0000")) {
      zone = end - 5;
    } else {
      return null;
    }
    int nanos = 0;
    if (zone > 19) {
      int fraction = zone - 20;
      if (t.charAt(19) != '.' || fraction < 1 || fraction > 9) {
        return null;
      }
      nanos = digits(t, 20, fraction);
      if (nanos < 0) {
        return null;
      }
      for (int i = fraction; i < 9; i++) {
        nanos *= 10;
      }
    } else if (zone != 19) {
      return null;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 2);
    int day = digits(t, 8, 2);
    int hour = digits(t, 11, 2);
    int minute = digits(t, 14, 2);
    int second = digits(t, 17, 2);
    if ((year | month | day | hour | minute | second) < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, nanos)
          .toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null; // out of range (month 13, ...): the general way reports it
    }
  }

  /**
   * What {@link Instant#toString()} writes ({@code 2026-11-26T04:23:20Z}, {@code ...:20.100Z}: the
   * fraction in groups of three digits, none when zero), for years 1000 to 9999; other years
   * through it.
   */
  public static String format(Instant instant) {
    long seconds = instant.getEpochSecond();
    LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    int year = t.getYear();
    if (year < 1000 || year > 9999) {
      return instant.toString();
    }
    StringBuilder out = new StringBuilder(30);
    out.append(year).append('-');
    two(out, t.getMonthValue()).append('-');
    two(out, t.getDayOfMonth()).append('T');
    two(out, t.getHour()).append(':');
    two(out, t.getMinute()).append(':');
    two(out, t.getSecond());
    int nanos = instant.getNano();
    if (nanos > 0) {
      out.append('.');
      if (nanos % 1_000_000 == 0) {
        pad(out, nanos / 1_000_000, 3);
      } else if (nanos % 1_000 == 0) {
        pad(out, nanos / 1_000, 6);
      } else {
        pad(out, nanos, 9);
      }
    }
    return out.append('Z').toString();
  }

  private static StringBuilder two(StringBuilder out, int v) {
    return pad(out, v, 2);
  }

  private static StringBuilder pad(StringBuilder out, int v, int width) {
    String digits = Integer.toString(v);
    for (int i = digits.length(); i < width; i++) {
      out.append('0');
    }
    return out.append(digits);
  }

  /** The number the {@code count} digits at {@code from} make, or -1. */
  private static int digits(String t, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}

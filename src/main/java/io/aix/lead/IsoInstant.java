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
 * the sandbox org's comparisons), so the usual UTC forms with milliseconds ({@code
 * 2026-11-26T04:23:20.000+0000}, {@code ...000Z}) are read digit by digit; anything else goes the
 * general way, which also reports what is wrong.
 */
public final class IsoInstant {
  private static final Pattern COMPACT_OFFSET = Pattern.compile("([+-]\\d{2})(\\d{2})$");

  private IsoInstant() {}

  /**
   * @throws java.time.format.DateTimeParseException when the text is not such a date-time
   */
  public static Instant parse(String text) {
    int n = text.length();
    if ((n == 24 && text.charAt(23) == 'Z') || (n == 28 && text.endsWith("+0000"))) {
      Instant fast = utc(text);
      if (fast != null) {
        return fast;
      }
    }
    String s = COMPACT_OFFSET.matcher(text).replaceFirst("$1:$2");
    return s.endsWith("Z") ? Instant.parse(s) : OffsetDateTime.parse(s).toInstant();
  }

  /** {@code yyyy-MM-ddTHH:mm:ss.SSS} at the start of the text, or null when it is not that. */
  private static Instant utc(String t) {
    if (t.charAt(4) != '-'
        || t.charAt(7) != '-'
        || t.charAt(10) != 'T'
        || t.charAt(13) != ':'
        || t.charAt(16) != ':'
        || t.charAt(19) != '.') {
      return null;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 2);
    int day = digits(t, 8, 2);
    int hour = digits(t, 11, 2);
    int minute = digits(t, 14, 2);
    int second = digits(t, 17, 2);
    int millis = digits(t, 20, 3);
    if ((year | month | day | hour | minute | second | millis) < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, millis * 1_000_000)
          .toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null; // out of range (month 13, ...): the general way reports it
    }
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

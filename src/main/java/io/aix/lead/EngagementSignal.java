package io.aix.lead;

import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One thing a lead did: a page view, a form submitted, an e-mail opened or clicked, a meeting, a
 * product event. Signals feed the engagement part of the score (weighted per type in the scoring
 * profile, halving with its half-life) and the hot-lead rules.
 *
 * @param seq AIX's own sequence number of the signal (grows with each one stored)
 * @param occurredAt when the lead did it (not when AIX heard of it)
 */
public record EngagementSignal(long seq, Type type, Instant occurredAt) {

  /**
   * A CRM's date-time as an instant: ISO-8601 with an offset ({@code 2026-11-20T10:00:00Z},
   * Salesforce's {@code 2026-11-20T10:00:00.000+0000}), epoch milliseconds (HubSpot), or a date
   * (start of day, UTC). Empty for anything else.
   */
  // Compiled once: String.matches and replaceFirst compile their pattern on every call.
  private static final Pattern EPOCH_MILLIS = Pattern.compile("\\d{10,16}");

  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  public static Optional<Instant> parseTime(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    String t = text.trim();
    try {
      // Read for every signal field of every record a page brings: regular expressions only
      // where the length allows a match, and ISO-8601 through IsoInstant's fast path.
      if (t.length() >= 10 && t.length() <= 16 && EPOCH_MILLIS.matcher(t).matches()) {
        return Optional.of(Instant.ofEpochMilli(Long.parseLong(t)));
      }
      if (t.length() == 10 && DATE.matcher(t).matches()) {
        return Optional.of(
            java.time.LocalDate.parse(t).atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
      }
      return Optional.of(IsoInstant.parse(t));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The closed list of signal types; their wire names are also the scoring profile's weight keys.
   */
  public enum Type {
    PAGE_VIEW("page_view", "page view", "page views"),
    FORM_SUBMIT("form_submit", "form submitted", "forms submitted"),
    EMAIL_OPEN("email_open", "e-mail opened", "e-mails opened"),
    EMAIL_CLICK("email_click", "e-mail link clicked", "e-mail links clicked"),
    MEETING("meeting", "meeting", "meetings"),
    PRODUCT_EVENT("product_event", "product event", "product events");

    private final String wire;
    private final String one;
    private final String many;

    Type(String wire, String one, String many) {
      this.wire = wire;
      this.one = one;
      this.many = many;
    }

    /** The name in the API and in scoring profiles, e.g. {@code page_view}. */
    public String wire() {
      return wire;
    }

    /** "1 form submitted", "3 forms submitted". */
    public String count(int n) {
      return n + " " + (n == 1 ? one : many);
    }

    public static Optional<Type> ofWire(String name) {
      if (name == null) {
        return Optional.empty();
      }
      String n = name.trim().toLowerCase(Locale.ROOT);
      return Arrays.stream(values()).filter(t -> t.wire.equals(n)).findFirst();
    }

    public static String names() {
      return String.join(", ", Arrays.stream(values()).map(Type::wire).toList());
    }
  }
}

package io.aix.connector.salesforce;

import io.aix.connector.CrmFailure;
import io.aix.connector.CrmFailure.Kind;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;

/**
 * Which Salesforce errors are worth a retry, which dead-letter a record, which stop the profile.
 */
public final class SalesforceErrors {
  /** Per-record codes that succeed on a later try. */
  static final Set<String> RETRIABLE_CODES =
      Set.of(
          "UNABLE_TO_LOCK_ROW", "REQUEST_RUNNING_TOO_LONG", "SERVER_UNAVAILABLE", "QUERY_TIMEOUT");

  /** The daily org limit's refusal: {@code REQUEST_LIMIT_EXCEEDED} with this message. */
  static final String DAILY_LIMIT_MESSAGE = "TotalRequests Limit exceeded.";

  /** The org's daily usage, as {@code Sforce-Limit-Info: api-usage=USED/LIMIT} reports it. */
  static final Pattern API_USAGE = Pattern.compile("api-usage=(\\d+)/(\\d+)");

  private SalesforceErrors() {}

  /** Classifies one record's error from an sObject Collections save result. */
  public static CrmFailure recordError(String code, String message) {
    return new CrmFailure(
        RETRIABLE_CODES.contains(code) ? Kind.RETRIABLE : Kind.PERMANENT, code, message);
  }

  /** Classifies a failure of a whole call whose answer carried no {@code Sforce-Limit-Info}. */
  public static CrmFailure callError(Throwable error) {
    return callError(error, null);
  }

  /**
   * Classifies a failure of a whole call.
   *
   * @param limitInfo the answer's {@code Sforce-Limit-Info} header, or null when it had none
   */
  public static CrmFailure callError(Throwable error, String limitInfo) {
    if (error instanceof SalesforceException sf) {
      String code =
          sf.getErrors() == null || sf.getErrors().isEmpty()
              ? "HTTP_" + sf.getStatusCode()
              : sf.getErrors().get(0).getErrorCode();
      String message =
          sf.getErrors() == null || sf.getErrors().isEmpty()
              ? String.valueOf(sf.getMessage())
              : sf.getErrors().stream()
                  .map(RestError::getMessage)
                  .reduce((a, b) -> a + "; " + b)
                  .orElse("");
      int status = sf.getStatusCode();
      if (status == 403 && "REQUEST_LIMIT_EXCEEDED".equals(code)) {
        return new CrmFailure(
            dailyLimit(message, limitInfo) ? Kind.BUDGET_EXHAUSTED : Kind.RETRIABLE, code, message);
      }
      // 429 is not a Salesforce REST answer (its limits are 403 REQUEST_LIMIT_EXCEEDED), but a
      // proxy in front of an org may send it.
      if (status == 0
          || status == 401
          || status == 408
          || status == 429
          || status >= 500
          || RETRIABLE_CODES.contains(code)) {
        return new CrmFailure(Kind.RETRIABLE, code, message);
      }
      return new CrmFailure(Kind.PERMANENT, code, message);
    }
    // Transport errors (reset, timeout, refused) arrive as other exception types.
    return new CrmFailure(
        Kind.RETRIABLE, error.getClass().getSimpleName(), String.valueOf(error.getMessage()));
  }

  /**
   * Whether a {@code REQUEST_LIMIT_EXCEEDED} refusal is the org's daily limit (pause the profile
   * until the budget's next window) rather than a limit on requests running at once, such as {@code
   * ConcurrentPerOrgLongTxn Limit exceeded.} (retry in seconds). Salesforce sends both with HTTP
   * 403 and one error code; only the message tells them apart (PLATFORM-FACTS.md, "Learned since";
   * reference/salesforce/FACTS.md, "Error strings"). For a message that names neither, the answer's
   * {@code Sforce-Limit-Info} decides when present: with calls left for the day ({@code USED <
   * LIMIT}) the refusal cannot be the daily limit. A message AIX does not know, with no usage to go
   * by, counts as the daily limit: pausing costs time, hammering a spent org costs every
   * integration sharing it.
   */
  static boolean dailyLimit(String message, String limitInfo) {
    String text = message == null ? "" : message;
    // The message names the limit; it is believed before a usage header that may lag behind.
    if (text.contains(DAILY_LIMIT_MESSAGE) || text.startsWith("TotalRequests")) {
      return true;
    }
    if (text.contains("Concurrent")) {
      return false;
    }
    if (limitInfo != null) {
      Matcher m = API_USAGE.matcher(limitInfo);
      if (m.find() && Long.parseLong(m.group(1)) < Long.parseLong(m.group(2))) {
        return false;
      }
    }
    return true;
  }
}

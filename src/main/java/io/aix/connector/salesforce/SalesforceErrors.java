package io.aix.connector.salesforce;

import io.aix.connector.CrmFailure;
import io.aix.connector.CrmFailure.Kind;
import java.util.Set;
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

  private SalesforceErrors() {}

  /** Classifies one record's error from an sObject Collections save result. */
  public static CrmFailure recordError(String code, String message) {
    return new CrmFailure(
        RETRIABLE_CODES.contains(code) ? Kind.RETRIABLE : Kind.PERMANENT, code, message);
  }

  /** Classifies a failure of a whole call. */
  public static CrmFailure callError(Throwable error) {
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
        return new CrmFailure(Kind.BUDGET_EXHAUSTED, code, message);
      }
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
}

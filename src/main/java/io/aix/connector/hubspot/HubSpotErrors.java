package io.aix.connector.hubspot;

import io.aix.connector.CrmFailure;
import io.aix.connector.CrmFailure.Kind;

/**
 * Sorts HubSpot's answers into what AIX does about them. HubSpot reports rate limits as 429 with
 * {@code policyName} (SECONDLY, TEN_SECONDLY_ROLLING, DAILY), validation problems as 400 with
 * {@code category: VALIDATION_ERROR}, and per-record batch problems in a 207's {@code errors[]}.
 */
final class HubSpotErrors {
  private HubSpotErrors() {}

  /** A failed call, from its status and error body (which may be null when it was not JSON). */
  static CrmFailure callError(int status, HubSpotApi.ErrorBody body) {
    String category = body == null || body.category() == null ? "HTTP_" + status : body.category();
    String message = body == null || body.message() == null ? "HTTP " + status : body.message();
    if (status == 429 && body != null && "DAILY".equals(body.policyName())) {
      return new CrmFailure(Kind.BUDGET_EXHAUSTED, "DAILY_LIMIT", message);
    }
    if (status == 429 || status == 408 || status == 0 || status >= 500) {
      return new CrmFailure(Kind.RETRIABLE, status == 429 ? "RATE_LIMIT" : category, message);
    }
    // 401 with a refreshed token means revoked access; 403 a missing scope: both need an admin.
    return new CrmFailure(Kind.PERMANENT, category, message);
  }

  /** One record's error inside a 207 batch answer. */
  static CrmFailure recordError(HubSpotApi.BatchError error) {
    String category = error.category() == null ? "UNKNOWN_ERROR" : error.category();
    String message = error.message() == null ? "no error detail" : error.message();
    return switch (category) {
      case "RATE_LIMITS", "RATE_LIMIT", "LOCKED", "CONFLICT", "TIMEOUT" ->
          new CrmFailure(Kind.RETRIABLE, category, message);
      default -> new CrmFailure(Kind.PERMANENT, category, message);
    };
  }
}

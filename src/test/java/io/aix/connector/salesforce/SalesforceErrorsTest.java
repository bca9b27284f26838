package io.aix.connector.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.aix.connector.CrmFailure.Kind;
import java.util.List;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.junit.jupiter.api.Test;

/**
 * 403 REQUEST_LIMIT_EXCEEDED: the daily limit pauses the profile, a limit on requests at once is
 * retried.
 */
class SalesforceErrorsTest {
  private static SalesforceException refusal(int status, String code, String message) {
    RestError e = new RestError();
    e.setErrorCode(code);
    e.setMessage(message);
    return new SalesforceException(List.of(e), status);
  }

  @Test
  void theDailyLimitIsBudgetExhausted() {
    assertThat(
            SalesforceErrors.callError(
                    refusal(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."))
                .kind())
        .isEqualTo(Kind.BUDGET_EXHAUSTED);
    assertThat(
            SalesforceErrors.callError(
                    refusal(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
                    "api-usage=15001/15000")
                .kind())
        .isEqualTo(Kind.BUDGET_EXHAUSTED);
    assertThat(
            SalesforceErrors.callError(
                    refusal(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
                    "api-usage=14990/15000")
                .kind())
        .as("the message names the daily limit: a usage header that lags behind does not win")
        .isEqualTo(Kind.BUDGET_EXHAUSTED);
  }

  @Test
  void aConcurrencyLimitIsRetriable() {
    assertThat(
            SalesforceErrors.callError(
                    refusal(
                        403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded."))
                .kind())
        .isEqualTo(Kind.RETRIABLE);
  }

  @Test
  void callsLeftForTheDayRuleOutTheDailyLimitWhateverTheMessage() {
    SalesforceException unknown = refusal(403, "REQUEST_LIMIT_EXCEEDED", "Some other limit.");
    assertThat(SalesforceErrors.callError(unknown).kind())
        .as("an unknown message with nothing else to go by: pause rather than hammer the org")
        .isEqualTo(Kind.BUDGET_EXHAUSTED);
    assertThat(SalesforceErrors.callError(unknown, "api-usage=18/5000").kind())
        .isEqualTo(Kind.RETRIABLE);
    assertThat(
            SalesforceErrors.callError(
                    unknown, "api-usage=25/5000; per-app-api-usage=17/250(appName=sample-app)")
                .kind())
        .isEqualTo(Kind.RETRIABLE);
  }

  @Test
  void otherForbiddenAnswersArePermanent() {
    assertThat(
            SalesforceErrors.callError(
                    refusal(
                        403,
                        "INSUFFICIENT_ACCESS_OR_READONLY",
                        "insufficient access rights on object id"))
                .kind())
        .isEqualTo(Kind.PERMANENT);
  }
}

package io.aix.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

class RedactingLogFilterTest {
  @Test
  void secretsInTheirUsualDisguisesAreMasked() {
    String text =
        "Authorization: Bearer pat-na1-11112222-3333-4444-5555-666677778888\n"
            + "curl -H 'authorization: basic YWxpY2U6czNjcjN0'\n"
            + "grant_type=refresh_token&client_id=app&client_secret=hush-hush-123&refresh_token=rt-abc-123\n"
            + "{\"access_token\":\"00D5e000000ABCD!AQ8AQNd9xx.yy\",\"token_type\":\"Bearer\"}\n"
            + "session 00D5e000001a2b3!ARcAQBj7f.TOKEN\n"
            + "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
    String out = RedactingLogFilter.redact(text);
    assertThat(out)
        .doesNotContain("11112222", "YWxpY2U6czNjcjN0", "hush-hush", "rt-abc-123")
        .doesNotContain("AQ8AQNd9xx", "ARcAQBj7f", "MIIEvQIBADAN")
        .contains("Bearer ***", "client_secret=***", "[private key redacted]", "token_type");
    assertThat(RedactingLogFilter.redact("Polling demo-salesforce Lead from watermark:2026|00Q5e"))
        .as("ordinary lines are left alone")
        .isEqualTo("Polling demo-salesforce Lead from watermark:2026|00Q5e");
  }

  @Test
  void aRecordsMessageParametersAndExceptionAreRedacted() {
    ExtLogRecord r =
        new ExtLogRecord(
            Level.WARNING,
            "call failed: %s",
            ExtLogRecord.FormatStyle.PRINTF,
            RedactingLogFilterTest.class.getName());
    r.setParameters(new Object[] {"Bearer abcdefghijkl"});
    r.setThrown(
        new IllegalStateException(
            "outer", new RuntimeException("refused client_secret=s3cr3t-value")));
    assertThat(new RedactingLogFilter().isLoggable(r)).isTrue();
    assertThat(r.getFormattedMessage()).isEqualTo("call failed: Bearer ***");
    assertThat(r.getThrown().getCause().getMessage()).doesNotContain("s3cr3t").contains("***");
    assertThat(r.getThrown().getStackTrace()).isNotEmpty();
  }
}

package io.aix.security;

import io.quarkus.logging.LoggingFilter;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logmanager.ExtLogRecord;

/**
 * The last line of defence for secrets in logs: every record on the console (messages and exception
 * texts alike, from AIX and from every library, such as a REST client's request logging an admin
 * switched on) has bearer and basic credentials, OAuth tokens and client secrets in forms and JSON,
 * HubSpot private-app tokens, Salesforce session ids and PEM private keys replaced by {@code ***}.
 * AIX itself never logs a secret ({@link io.aix.profile.SecretRef} prints its name); this catches
 * what others log.
 */
@LoggingFilter(name = "aix-redact")
public final class RedactingLogFilter implements Filter {
  private record Rule(Pattern pattern, String replacement) {}

  private static final List<Rule> RULES =
      List.of(
          new Rule(
              Pattern.compile(
                  "-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)",
                  Pattern.DOTALL),
              "[private key redacted]"),
          new Rule(
              Pattern.compile("(?i)\\b(bearer|basic)(\\s+)[A-Za-z0-9._~+/=!-]{6,}"), "$1$2***"),
          new Rule(
              Pattern.compile(
                  "(?i)(\"?\\b(?:access_token|refresh_token|id_token|client_secret|password"
                      + "|assertion|code_verifier|secret|token)\"?\\s*[=:]\\s*\"?)"
                      + "[^\"&\\s,;}]{4,}"),
              "$1***"),
          new Rule(Pattern.compile("\\bpat-[a-z]{2}\\d-[A-Za-z0-9-]+"), "pat-***"),
          new Rule(Pattern.compile("\\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]+"), "***"));

  /** The text with every secret-looking part replaced. */
  public static String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (Rule r : RULES) {
      Matcher m = r.pattern().matcher(out);
      if (m.find()) {
        out = m.replaceAll(r.replacement());
      }
    }
    return out;
  }

  @Override
  public boolean isLoggable(LogRecord record) {
    String message =
        record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
    String redacted = redact(message);
    if (redacted != null && !redacted.equals(message)) {
      if (record instanceof ExtLogRecord ext) {
        ext.setMessage(redacted, ExtLogRecord.FormatStyle.NO_FORMAT);
      } else {
        record.setMessage(redacted);
      }
      record.setParameters(null);
    }
    Throwable thrown = record.getThrown();
    if (thrown != null && needsRedaction(thrown)) {
      record.setThrown(redacted(thrown));
    }
    return true;
  }

  private static boolean needsRedaction(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String text = String.valueOf(c.getMessage());
      if (!text.equals(redact(text))) {
        return true;
      }
    }
    return false;
  }

  /** A copy of the chain whose messages are redacted, keeping types' names and stack traces. */
  private static Throwable redacted(Throwable t) {
    RuntimeException copy =
        new RuntimeException(
            t.getClass().getName() + ": " + redact(String.valueOf(t.getMessage())));
    copy.setStackTrace(t.getStackTrace());
    if (t.getCause() != null && t.getCause() != t) {
      copy.initCause(redacted(t.getCause()));
    }
    return copy;
  }
}

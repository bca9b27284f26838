package io.aix.pipeline;

import java.util.function.BiConsumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hears Salesforce refuse a replay id. Camel's CometD subscription helper answers the refusal by
 * resubscribing at its fallback (-1, the newest event) on its own and only logs Salesforce's error
 * ({@code 400::The replayId {N} you provided was invalid...}); the route never learns of it, and
 * the events in between would be skipped in silence. That log record is the one signal there is, so
 * AIX listens to that logger and hands the refused id to {@link ChangeEventStage#refused}.
 */
final class ReplayRefusalWatch extends Handler {
  static final String LOGGER =
      "org.apache.camel.component.salesforce.internal.streaming.SubscriptionHelper";
  static final Pattern REFUSED =
      Pattern.compile("400::The replayId \\{(-?\\d+)} you provided was invalid[^\\n]*");

  /** Held so the logger (and the handler on it) is not collected. */
  private static Logger logger;

  private static ReplayRefusalWatch installed;

  private final BiConsumer<Long, String> onRefusal;

  private ReplayRefusalWatch(BiConsumer<Long, String> onRefusal) {
    this.onRefusal = onRefusal;
  }

  /** Installs the watch once per process; later calls change nothing. */
  static synchronized void install(BiConsumer<Long, String> onRefusal) {
    if (installed != null) {
      return;
    }
    logger = Logger.getLogger(LOGGER);
    installed = new ReplayRefusalWatch(onRefusal);
    logger.addHandler(installed);
  }

  @Override
  public void publish(LogRecord record) {
    String message = record.getMessage();
    if (message == null) {
      return;
    }
    Matcher m = REFUSED.matcher(message);
    if (m.find()) {
      onRefusal.accept(Long.parseLong(m.group(1)), m.group());
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}

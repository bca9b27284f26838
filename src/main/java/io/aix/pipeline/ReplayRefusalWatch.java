package io.aix.pipeline;

import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hears Salesforce refuse a replay id, or refuse delivery. Camel's CometD subscription helper
 * answers a refused replay id by resubscribing at its fallback (-1, the newest event) on its own
 * and only logs Salesforce's error ({@code 400::The replayId {N} you provided was invalid...}); the
 * route never learns of it, and the events in between would be skipped in silence. Likewise a
 * {@code /meta/connect} refused for a spent delivery allocation ({@code 403::Organization total
 * events daily limit exceeded}) is only logged. Those log records are the one signal there is, so
 * AIX listens to that logger and hands the refused id to {@link ChangeEventStage#refused}, the
 * refused delivery to {@link ChangeEventStage#deliveryRefused}.
 *
 * <p>The same logger says when the CRM confirmed a subscription ({@code Subscribed to channel
 * /data/X}, INFO) and when a connect, handshake or subscribe failed: {@link PollCoverage} counts a
 * subscription live from its confirmation until anything of the kind.
 */
final class ReplayRefusalWatch extends Handler {
  static final String LOGGER =
      "org.apache.camel.component.salesforce.internal.streaming.SubscriptionHelper";
  static final Pattern REFUSED =
      Pattern.compile("400::The replayId \\{(-?\\d+)} you provided was invalid[^\\n]*");
  static final Pattern DAILY_LIMIT =
      Pattern.compile("403::Organization total events daily limit exceeded");
  static final Pattern TOO_LARGE = Pattern.compile("Buffering capacity \\d+ exceeded");
  static final String SUBSCRIBED = "Subscribed to channel";

  /**
   * Camel 4.18's SubscriptionHelper messages for a connect, handshake or subscribe that failed, or
   * a client stopping: each may have lost events, so every subscription awaits a new confirmation.
   */
  static final Pattern BROKEN =
      Pattern.compile(
          "^(Connect failure|Handshake failure|Subscription failure|Error during|Exception during"
              + "|Error subscribing|Handshake failed|Subscribe aborted|Unsubscribing from"
              + "|Could not disconnect)");

  /** Held so the logger (and the handler on it) is not collected. */
  private static Logger logger;

  private static ReplayRefusalWatch installed;

  private final BiConsumer<Long, String> onRefusal;
  private final Consumer<String> onDeliveryRefused;
  private final Consumer<String> onTooLarge;
  private final PollCoverage coverage;

  /** The stage the installed watch reports to (null for one made by {@link #of}). */
  private ChangeEventStage owner;

  private ReplayRefusalWatch(
      BiConsumer<Long, String> onRefusal,
      Consumer<String> onDeliveryRefused,
      Consumer<String> onTooLarge,
      PollCoverage coverage) {
    this.onRefusal = onRefusal;
    this.onDeliveryRefused = onDeliveryRefused;
    this.onTooLarge = onTooLarge;
    this.coverage = coverage;
  }

  /**
   * Installs the watch: one per process, reporting to the beans given last (a restarted
   * application, as in tests with their own profiles, has new ones; the old would hear nothing).
   */
  static synchronized void install(ChangeEventStage changes, PollCoverage coverage) {
    if (installed != null) {
      if (installed.coverage == coverage && installed.owner == changes) {
        return;
      }
      logger.removeHandler(installed);
    }
    logger = Logger.getLogger(LOGGER);
    installed =
        new ReplayRefusalWatch(
            changes::refused, changes::deliveryRefused, changes::tooLarge, coverage);
    installed.owner = changes;
    logger.addHandler(installed);
  }

  /** A watch that only reports to {@code coverage} and the given consumers (tests). */
  static ReplayRefusalWatch of(
      BiConsumer<Long, String> onRefusal,
      Consumer<String> onDeliveryRefused,
      Consumer<String> onTooLarge,
      PollCoverage coverage) {
    return new ReplayRefusalWatch(onRefusal, onDeliveryRefused, onTooLarge, coverage);
  }

  @Override
  public void publish(LogRecord record) {
    String message = record.getMessage();
    if (message == null) {
      return;
    }
    if (message.startsWith(SUBSCRIBED)) {
      Object[] params = record.getParameters();
      String channel =
          params != null && params.length > 0
              ? String.valueOf(params[0])
              : message.substring(SUBSCRIBED.length()).trim();
      coverage.confirmed(channel, java.time.Instant.now());
      return;
    }
    if (BROKEN.matcher(message).find()) {
      coverage.broken(message);
    }
    if (record.getParameters() != null && record.getParameters().length > 0) {
      // "Connect failure: {}" comes with the Bayeux message as its parameter.
      message = message + " " + java.util.Arrays.toString(record.getParameters());
    }
    Matcher m = REFUSED.matcher(message);
    if (m.find()) {
      coverage.broken(m.group());
      onRefusal.accept(Long.parseLong(m.group(1)), m.group());
    }
    Matcher limit = DAILY_LIMIT.matcher(message);
    if (limit.find()) {
      coverage.broken(limit.group());
      onDeliveryRefused.accept(limit.group());
    }
    Matcher large = TOO_LARGE.matcher(message);
    if (large.find()) {
      coverage.broken(large.group());
      onTooLarge.accept(large.group());
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}

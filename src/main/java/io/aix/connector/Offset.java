package io.aix.connector;

import java.time.Instant;

/**
 * Where a source stream stands, as a typed value that round-trips through {@link #encode()} and
 * {@link #decode(String)}. Stored in PostgreSQL in the same transaction as the keys of the events
 * it covers.
 */
public sealed interface Offset {

  String encode();

  /**
   * A modified-since watermark: every record with a stamp before {@code modifiedAt}, and those at
   * exactly {@code modifiedAt} up to {@code lastId}, has been processed.
   */
  record Watermark(Instant modifiedAt, String lastId) implements Offset {
    public static final Watermark START = new Watermark(Instant.EPOCH, "");

    @Override
    public String encode() {
      return "watermark:" + modifiedAt + "|" + lastId;
    }
  }

  /**
   * A position in a CRM's change event stream (Salesforce Change Data Capture): the replay id of
   * the last event taken, and the commit time of its change, which tells whether the CRM still
   * keeps the events after it (72 hours) and where a catch-up poll over a gap must start.
   */
  record Replay(long replayId, Instant committedAt) implements Offset {
    @Override
    public String encode() {
      return "replay:" + replayId + "|" + committedAt;
    }
  }

  static Offset decode(String encoded) {
    if (encoded.startsWith("replay:")) {
      String body = encoded.substring("replay:".length());
      int bar = body.indexOf('|');
      try {
        if (bar < 0) {
          throw new IllegalArgumentException("no commit time");
        }
        return new Replay(
            Long.parseLong(body.substring(0, bar)), Instant.parse(body.substring(bar + 1)));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "malformed replay offset: " + encoded + " (" + e.getMessage() + ")", e);
      }
    }
    if (encoded.startsWith("watermark:")) {
      String body = encoded.substring("watermark:".length());
      int bar = body.indexOf('|');
      if (bar < 0) {
        throw new IllegalArgumentException("malformed watermark offset: " + encoded);
      }
      return new Watermark(Instant.parse(body.substring(0, bar)), body.substring(bar + 1));
    }
    throw new IllegalArgumentException("unknown offset kind: " + encoded);
  }
}

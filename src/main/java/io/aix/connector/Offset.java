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

  static Offset decode(String encoded) {
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

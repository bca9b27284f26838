package io.aix.connector.salesforce;

import io.aix.connector.BulkScoreWrites;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CSV for Bulk API 2.0 (RFC 4180: comma delimiter, LF line ending, double quotes around a field, a
 * quote inside doubled). Rows are read one at a time from a stream, so a results page is never held
 * as one string.
 */
public final class BulkCsv {
  private BulkCsv() {}

  /** An ingest upload: {@code Id} and the columns, one row per record; null is {@code #N/A}. */
  static String ingest(List<String> columns, List<BulkScoreWrites.BulkRow> rows) {
    StringBuilder out = new StringBuilder(64 + rows.size() * 32 * (columns.size() + 1));
    out.append("Id");
    for (String c : columns) {
      out.append(',').append(quote(c));
    }
    out.append('\n');
    for (BulkScoreWrites.BulkRow row : rows) {
      out.append(quote(row.crmId()));
      Map<String, Object> values = row.values();
      for (String c : columns) {
        out.append(',');
        Object v = values.get(c);
        // Bulk API 2.0: an empty field leaves the value as it is; #N/A sets it to null.
        out.append(
            v == null
                ? "#N/A"
                : quote(v instanceof java.math.BigDecimal d ? d.toPlainString() : v.toString()));
      }
      out.append('\n');
    }
    return out.toString();
  }

  public static String quote(String value) {
    if (value.isEmpty()) {
      return "\"\"";
    }
    boolean plain = true;
    for (int i = 0; i < value.length() && plain; i++) {
      char c = value.charAt(i);
      plain = c != ',' && c != '"' && c != '\n' && c != '\r';
    }
    return plain ? value : "\"" + value.replace("\"", "\"\"") + "\"";
  }

  /** Reads rows one by one. */
  public static final class Reader {
    private final java.io.Reader in;
    // Its own buffer: a BufferedReader's read() takes a lock per character, which was the
    // first AIX frame of 5 % of the HubSpot bench's Java samples (an export of 200,000 rows).
    private final char[] buf = new char[16_384];
    private int pos;
    private int len;
    private int line = 1;
    private boolean ended;

    public Reader(java.io.Reader in) {
      this.in = in;
    }

    /** The next character, or -1 at the end; {@code pos} stays on it when {@code take} is false. */
    private int at(boolean take) throws IOException {
      if (pos == len) {
        int n = in.read(buf, 0, buf.length);
        pos = 0;
        len = Math.max(n, 0);
        if (n <= 0) {
          return -1;
        }
      }
      return take ? buf[pos++] : buf[pos];
    }

    /** The next row, or null at the end. */
    public List<String> next() throws IOException {
      if (ended) {
        return null;
      }
      List<String> row = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      boolean any = false;
      while (true) {
        int c = at(true);
        if (c < 0) {
          ended = true;
          if (quoted) {
            throw new IllegalArgumentException("line " + line + ": a quoted field is not closed");
          }
          if (!any && row.isEmpty()) {
            return null;
          }
          row.add(field.toString());
          return row;
        }
        any = true;
        if (quoted) {
          if (c == '"') {
            if (at(false) == '"') {
              pos++;
              field.append('"');
            } else {
              quoted = false;
            }
          } else {
            if (c == '\n') {
              line++;
            }
            field.append((char) c);
          }
          continue;
        }
        switch (c) {
          case '"' -> quoted = true;
          case ',' -> {
            row.add(field.toString());
            field.setLength(0);
          }
          case '\r' -> {}
          case '\n' -> {
            line++;
            row.add(field.toString());
            return row;
          }
          default -> field.append((char) c);
        }
      }
    }
  }
}

package io.aix.sandbox;

import java.util.ArrayList;
import java.util.List;

/**
 * CSV as Bulk API 2.0 reads and writes it (RFC 4180: comma, LF, fields in double quotes where they
 * hold a comma, quote or line break, a quote doubled inside). The sandbox's own reader, kept apart
 * from AIX's so that the two do not share a mistake.
 */
final class Csv {
  private Csv() {}

  /** Every row of the text; a malformed quote is an {@link IllegalArgumentException}. */
  static List<List<String>> parse(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean fieldStarted = false;
    int line = 1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
            if (i + 1 < text.length() && ",\n\r".indexOf(text.charAt(i + 1)) < 0) {
              throw new IllegalArgumentException("line " + line + ": text after a closing quote");
            }
          }
        } else {
          if (c == '\n') {
            line++;
          }
          field.append(c);
        }
        continue;
      }
      switch (c) {
        case '"' -> {
          if (field.length() > 0) {
            throw new IllegalArgumentException(
                "line " + line + ": a quote inside an unquoted field");
          }
          quoted = true;
          fieldStarted = true;
        }
        case ',' -> {
          row.add(field.toString());
          field.setLength(0);
          fieldStarted = true;
        }
        case '\r' -> {}
        case '\n' -> {
          row.add(field.toString());
          rows.add(row);
          row = new ArrayList<>();
          field.setLength(0);
          fieldStarted = false;
          line++;
        }
        default -> {
          field.append(c);
          fieldStarted = true;
        }
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("line " + line + ": a quoted field is not closed");
    }
    if (fieldStarted || field.length() > 0 || !row.isEmpty()) {
      row.add(field.toString());
      rows.add(row);
    }
    return rows;
  }

  /** A field in double quotes, its quotes doubled. */
  static String quote(String value) {
    return "\"" + value.replace("\"", "\"\"") + "\"";
  }
}

package io.aix.bench;

import io.aix.model.BinaryModel;
import io.aix.model.FeatureSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The public lead-conversion data set ({@code ../shared/data/x-education-leads.csv}): one row per
 * lead, label {@code Converted}. The columns recorded after sales contact ({@code Tags}, {@code
 * Lead Quality}, {@code Last Notable Activity}) are left out, as are the ids; {@code Select} means
 * "not chosen" and counts as missing.
 */
public final class LeadCsv {
  static final String LABEL = "Converted";

  /** Written after a salesperson's contact: they would leak the outcome. */
  static final Set<String> LEAKY = Set.of("Tags", "Lead Quality", "Last Notable Activity");

  static final Set<String> IDS = Set.of("Prospect ID", "Lead Number");

  static final Set<String> NUMERIC =
      Set.of(
          "TotalVisits",
          "Total Time Spent on Website",
          "Page Views Per Visit",
          "Asymmetrique Activity Score",
          "Asymmetrique Profile Score");

  /** Counts spread over orders of magnitude: log1p keeps a linear model's steps sane. */
  static final Set<String> LOG_SCALED = Set.of("TotalVisits", "Total Time Spent on Website");

  private LeadCsv() {}

  public static List<BinaryModel.Row> read(Path file) throws IOException {
    List<List<String>> rows = parse(Files.readString(file, StandardCharsets.UTF_8));
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(file + ": empty");
    }
    List<String> header = rows.get(0);
    int label = header.indexOf(LABEL);
    if (label < 0) {
      throw new IllegalArgumentException(file + ":1: no '" + LABEL + "' column");
    }
    List<BinaryModel.Row> out = new ArrayList<>();
    for (int r = 1; r < rows.size(); r++) {
      List<String> row = rows.get(r);
      if (row.size() == 1 && row.get(0).isBlank()) {
        continue;
      }
      FeatureSet features = new FeatureSet();
      for (int c = 0; c < header.size() && c < row.size(); c++) {
        String name = header.get(c).trim();
        if (name.isEmpty() || c == label || LEAKY.contains(name) || IDS.contains(name)) {
          continue;
        }
        String value = row.get(c).trim();
        boolean missing = value.isEmpty() || value.equals("Select");
        if (NUMERIC.contains(name)) {
          Double number = missing ? null : parse(value, file, r + 1, name);
          if (number != null && LOG_SCALED.contains(name)) {
            number = Math.log1p(Math.max(0, number));
          }
          features.numeric(name, number);
        } else {
          features.categorical(name, missing ? null : value);
        }
      }
      String outcome = row.get(label).trim();
      if (!outcome.equals("0") && !outcome.equals("1")) {
        throw new IllegalArgumentException(
            file + ":" + (r + 1) + ": Converted must be 0 or 1, not '" + outcome + "'");
      }
      out.add(new BinaryModel.Row(features, outcome.equals("1")));
    }
    return out;
  }

  private static Double parse(String value, Path file, int line, String column) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          file + ":" + line + ": " + column + " is not a number: '" + value + "'");
    }
  }

  /** RFC 4180: commas, quoted fields, doubled quotes, CRLF or LF. */
  static List<List<String>> parse(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          field.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        row.add(field.toString());
        field.setLength(0);
      } else if (ch == '\n' || ch == '\r') {
        if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        row.add(field.toString());
        field.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
      } else {
        field.append(ch);
      }
    }
    if (field.length() > 0 || !row.isEmpty()) {
      row.add(field.toString());
      rows.add(row);
    }
    return rows;
  }

  static Map<Boolean, Long> balance(List<BinaryModel.Row> rows) {
    return Map.of(
        true, rows.stream().filter(BinaryModel.Row::converted).count(),
        false, rows.stream().filter(r -> !r.converted()).count());
  }
}

package io.aix.connector.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 4180 rows as Bulk API 2.0 results and HubSpot exports hold them, read one at a time. */
class BulkCsvTest {
  private static List<List<String>> rows(String csv) throws IOException {
    BulkCsv.Reader reader = new BulkCsv.Reader(new StringReader(csv));
    List<List<String>> out = new ArrayList<>();
    for (List<String> row = reader.next(); row != null; row = reader.next()) {
      out.add(row);
    }
    return out;
  }

  @Test
  void quotedFieldsKeepTheirCommasQuotesAndLineBreaks() throws IOException {
    assertThat(
            rows(
                "Id,Title,Notes\r\n"
                    + "00Q1,\"VP, Sales\",\"said \"\"call me\"\"\"\n"
                    + "00Q2,,\"two\nlines\"\n"))
        .containsExactly(
            List.of("Id", "Title", "Notes"),
            List.of("00Q1", "VP, Sales", "said \"call me\""),
            List.of("00Q2", "", "two\nlines"));
  }

  @Test
  void aLastRowWithoutLineEndIsARowAndAnEmptyInputHasNone() throws IOException {
    assertThat(rows("a,b\n1,2")).containsExactly(List.of("a", "b"), List.of("1", "2"));
    assertThat(rows("")).isEmpty();
  }

  @Test
  void rowsLongerThanTheReadersBufferAndADoubledQuoteAcrossItsEdgeReadWhole() throws IOException {
    // The reader fills 16,384 characters at a time: a quote pair split by a refill must still
    // read as one quote, and a field longer than the buffer as one field.
    for (int pad = 16_370; pad < 16_400; pad++) {
      String filler = "x".repeat(pad);
      String csv = "Id,Text\n1,\"" + filler + "\"\"q\"\"\"\n2,\"" + "y".repeat(40_000) + "\"\n";
      List<List<String>> read = rows(csv);
      assertThat(read).hasSize(3);
      assertThat(read.get(1)).containsExactly("1", filler + "\"q\"");
      assertThat(read.get(2).get(1)).hasSize(40_000);
    }
  }

  @Test
  void aQuotedFieldNeverClosedIsRefusedWithItsLine() {
    assertThatThrownBy(() -> rows("Id,Title\n1,ok\n2,\"open\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 4")
        .hasMessageContaining("not closed");
  }
}

package io.aix.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aix.model.BinaryModel.Algorithm;
import io.aix.model.BinaryModel.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model benchmark on the public lead-conversion data ({@code ../shared/data}, kept out of the
 * artifact by its terms): leak-free, the better Tribuo model reaches an AUC of 0.93.
 */
class ModelBenchTest {
  static final Path DATA = Path.of("../shared/data/x-education-leads.csv");

  @TempDir Path dir;

  @Test
  void theLeakyColumnsAndIdsAreNotFeatures() throws IOException {
    Path csv = dir.resolve("leads.csv");
    Files.writeString(
        csv,
        "Prospect ID,Lead Source,Converted,TotalVisits,Tags,Lead Quality,Last Notable Activity\n"
            + "a1,Google,1,3,Closed by Horizzon,High in Relevance,SMS Sent\n"
            + "a2,\"Olark, Chat\",0,,Ringing,,Modified\n"
            + "a3,Select,0,0,,,\n");
    List<Row> rows = LeadCsv.read(csv);
    assertThat(rows).extracting(Row::converted).containsExactly(true, false, false);
    String features = rows.get(0).features().example(null).toString();
    assertThat(features).contains("Lead Source=google").contains("TotalVisits");
    assertThat(features).doesNotContain("Tags").doesNotContain("Quality").doesNotContain("Notable");
    assertThat(features).doesNotContain("Prospect");
    assertThat(rows.get(1).features().example(null).toString())
        .as("a quoted comma stays in its field; a blank number is marked missing")
        .contains("Lead Source=olark, chat")
        .contains("TotalVisits=<missing>");
    assertThat(rows.get(2).features().example(null).toString())
        .as("'Select' means not chosen")
        .contains("Lead Source=<missing>");
  }

  @Test
  void aBadLabelNamesItsLine() throws IOException {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "Lead Source,Converted\nGoogle,1\nGoogle,yes\n");
    assertThatThrownBy(() -> LeadCsv.read(csv))
        .hasMessage(csv + ":3: Converted must be 0 or 1, not 'yes'");
  }

  @Test
  void stratifiedFoldsKeepTheConversionRate() throws IOException {
    List<Row> rows = LeadCsv.read(DATA);
    List<List<Row>> folds = ModelBench.folds(rows, 5, ModelBench.SEED);
    double overall = rows.stream().filter(Row::converted).count() / (double) rows.size();
    assertThat(folds).hasSize(5);
    assertThat(folds.stream().mapToInt(List::size).sum()).isEqualTo(rows.size());
    for (List<Row> fold : folds) {
      double rate = fold.stream().filter(Row::converted).count() / (double) fold.size();
      assertThat(rate).isBetween(overall - 0.005, overall + 0.005);
    }
  }

  @Test
  void theBetterTribuoModelReachesALeakFreeAucOf093() throws IOException {
    List<Row> rows = LeadCsv.read(DATA);
    ModelBench.Result xgb = ModelBench.crossValidate(Algorithm.XGBOOST, rows, 5);
    ModelBench.Result lr = ModelBench.crossValidate(Algorithm.LOGISTIC_REGRESSION, rows, 5);
    assertThat(xgb.scored()).isEqualTo(rows.size());
    assertThat(Math.max(xgb.auc(), lr.auc())).isGreaterThanOrEqualTo(0.93);
    assertThat(lr.auc()).as("the linear baseline is sane").isGreaterThan(0.85);
    assertThat(xgb.brier()).as("better than predicting the base rate").isLessThan(0.2366);
  }
}

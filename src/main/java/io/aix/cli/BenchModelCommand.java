package io.aix.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.bench.LeadCsv;
import io.aix.bench.ModelBench;
import io.aix.model.BinaryModel.Algorithm;
import io.aix.model.BinaryModel.Row;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description =
        "Trains logistic regression and XGBoost (Tribuo) on a lead-conversion CSV and prints, for"
            + " each, the 5-fold stratified cross-validated AUC without the leaky columns, the Brier"
            + " score, training time and per-lead scoring latency (p50, p99). The same split seed"
            + " on every run. With --train and --test it trains on one file and reports on the"
            + " other.")
public class BenchModelCommand implements Callable<Integer> {
  @Option(names = "--data", description = "CSV in the X Education layout (label column Converted).")
  Path data;

  @Option(names = "--train", description = "Train on this CSV (with --test).")
  Path train;

  @Option(names = "--test", description = "Report on this CSV (with --train).")
  Path test;

  @Option(names = "--folds", defaultValue = "5", description = "Cross-validation folds.")
  int folds;

  @Override
  public Integer call() throws Exception {
    if ((train == null) != (test == null) || (data == null) == (train == null)) {
      System.err.println("give either --data FILE, or --train FILE and --test FILE");
      return 2;
    }
    ModelBench.Result lr;
    ModelBench.Result xgb;
    if (data != null) {
      List<Row> rows = LeadCsv.read(data);
      long converted = rows.stream().filter(Row::converted).count();
      System.out.printf(
          "%s: %d leads, %d converted (%.1f%%); %d-fold stratified CV, seed %d; left out: %s%n",
          data,
          rows.size(),
          converted,
          100.0 * converted / rows.size(),
          folds,
          ModelBench.SEED,
          "Tags, Lead Quality, Last Notable Activity");
      lr = ModelBench.crossValidate(Algorithm.LOGISTIC_REGRESSION, rows, folds);
      xgb = ModelBench.crossValidate(Algorithm.XGBOOST, rows, folds);
    } else {
      List<Row> a = LeadCsv.read(train);
      List<Row> b = LeadCsv.read(test);
      System.out.printf(
          "train %s (%d leads), test %s (%d leads)%n", train, a.size(), test, b.size());
      lr = ModelBench.trainTest(Algorithm.LOGISTIC_REGRESSION, a, b);
      xgb = ModelBench.trainTest(Algorithm.XGBOOST, a, b);
    }
    System.out.printf(
        "%-20s %7s %7s %8s %9s %9s %9s%n",
        "model", "AUC", "Brier", "logloss", "train s", "p50 us", "p99 us");
    for (ModelBench.Result r : List.of(lr, xgb)) {
      System.out.printf(
          "%-20s %7.4f %7.4f %8.4f %9.2f %9.1f %9.1f%n",
          r.algorithm(),
          r.auc(),
          r.brier(),
          r.logLoss(),
          r.trainSeconds(),
          r.p50Micros(),
          r.p99Micros());
    }
    ModelBench.Result best = xgb.auc() >= lr.auc() ? xgb : lr;
    System.out.printf(
        "best: %s; its p99 scoring latency is %.3f of the 1 ms budget and %.1fx logistic"
            + " regression's in the same run%n",
        best.algorithm(), best.p99Micros() / 1000.0, best.p99Micros() / lr.p99Micros());
    ObjectNode line = new ObjectMapper().createObjectNode();
    line.put("lr_auc", round(lr.auc()));
    line.put("xgb_auc", round(xgb.auc()));
    line.put("best_auc", round(best.auc()));
    line.put("brier", round(best.brier()));
    line.put("train_seconds", round(best.trainSeconds()));
    line.put("p50_us", Math.round(best.p50Micros() * 10) / 10.0);
    line.put("p99_us", Math.round(best.p99Micros() * 10) / 10.0);
    System.out.println(line);
    return 0;
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}

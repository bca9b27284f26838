package io.aix.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.aix.model.BinaryModel.Algorithm;
import io.aix.model.BinaryModel.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A batch scored in one model call gives each lead exactly what scoring it alone gives. */
class BatchScoringTest {
  private static List<Row> rows(int n, long seed) {
    Random random = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String seniority = List.of("c-level", "vp", "manager", "staff").get(random.nextInt(4));
      double visits = random.nextInt(20);
      boolean converted =
          random.nextDouble() < (seniority.equals("c-level") ? 0.7 : 0.2) + visits / 100;
      rows.add(
          new Row(
              new FeatureSet()
                  .categorical("seniority", seniority)
                  .numeric("visits", random.nextInt(10) == 0 ? null : visits),
              converted));
    }
    return rows;
  }

  @Test
  void oneCallForABatchGivesEachRowItsOwnProbability() {
    for (Algorithm algorithm : Algorithm.values()) {
      BinaryModel model = BinaryModel.train(algorithm, rows(400, 1), 7);
      List<FeatureSet> batch = rows(250, 2).stream().map(Row::features).toList();

      double[] together = model.probabilities(batch);

      assertThat(together).as(algorithm + ": one probability per row").hasSize(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        assertThat(together[i])
            .as(algorithm + ": row " + i + " scored in a batch as alone")
            .isEqualTo(model.probability(batch.get(i)));
      }
    }
  }
}

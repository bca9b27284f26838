package io.aix.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void aucCountsPairsAndTiesHalf() {
    boolean[] y = {false, false, true, true};
    assertThat(Metrics.auc(new double[] {0.1, 0.4, 0.35, 0.8}, y)).isCloseTo(0.75, within(1e-12));
    assertThat(Metrics.auc(new double[] {0.1, 0.2, 0.3, 0.4}, y)).isEqualTo(1.0);
    assertThat(Metrics.auc(new double[] {0.5, 0.5, 0.5, 0.5}, y)).isEqualTo(0.5);
    assertThat(Metrics.auc(new double[] {0.9, 0.8, 0.2, 0.1}, y)).isEqualTo(0.0);
  }

  @Test
  void aucNeedsBothClasses() {
    assertThatThrownBy(() -> Metrics.auc(new double[] {0.1, 0.2}, new boolean[] {true, true}))
        .hasMessageContaining("both classes");
  }

  @Test
  void brierAndLogLossOfKnownPredictions() {
    boolean[] y = {true, false};
    assertThat(Metrics.brier(new double[] {0.8, 0.4}, y)).isCloseTo(0.1, within(1e-12));
    assertThat(Metrics.logLoss(new double[] {0.5, 0.5}, y)).isCloseTo(Math.log(2), within(1e-12));
    assertThat(Metrics.logLoss(new double[] {1.0, 0.0}, y)).isLessThan(1e-12);
  }
}

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

  @Test
  void psiIsZeroForTheSameDistributionAndLargeForAShiftedOne() {
    double[] base = Metrics.histogram(new double[] {0.05, 0.15, 0.25, 0.35, 0.45, 0.55});
    assertThat(Metrics.psi(base, base)).isZero();
    double[] shifted = Metrics.histogram(new double[] {0.95, 0.95, 0.95, 0.85, 0.85, 0.75});
    assertThat(Metrics.psi(base, shifted)).isGreaterThan(1.0);
    assertThat(Metrics.histogram(new double[] {0.0, 1.0, 0.999}))
        .containsExactly(1.0 / 3, 0, 0, 0, 0, 0, 0, 0, 0, 2.0 / 3);
  }
}

package io.aix.connector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobPaceTest {
  @Test
  void nothingSeenForeseesNothing() {
    assertThat(new JobPace().foresee(1_000)).isEqualTo(-1);
  }

  @Test
  void oneJobSizeGivesItsTimePerRow() {
    JobPace pace = new JobPace();
    pace.observed(100_000, 12_000);
    assertThat(pace.foresee(50_000)).isEqualTo(6_000);
  }

  @Test
  void jobsOfTwoSizesGiveAFixedStartAndATimePerRow() {
    // As the sandbox org runs them: 2 s to start, 1 s per 10,000 rows.
    JobPace pace = new JobPace();
    pace.observed(185_234, 2_000 + 18_523);
    pace.observed(14_703, 2_000 + 1_470);
    assertThat(pace.foresee(185_000)).isBetween(20_400L, 20_600L);
    assertThat(pace.foresee(14_000)).isBetween(3_350L, 3_450L);
  }

  @Test
  void timesThatDoNotGrowWithSizeForeseeTheStartAlone() {
    // A test org: 300 ms to start whatever the size.
    JobPace pace = new JobPace();
    pace.observed(50, 300);
    pace.observed(1, 300);
    assertThat(pace.foresee(20_000)).isEqualTo(300);
    pace.observed(20_000, 290);
    assertThat(pace.foresee(40_000)).isBetween(290L, 300L);
  }

  @Test
  void onlyTheLastJobsCount() {
    JobPace pace = new JobPace();
    for (int i = 0; i < JobPace.KEPT; i++) {
      pace.observed(10_000, 100_000); // a slow org once
    }
    for (int i = 0; i < JobPace.KEPT; i++) {
      pace.observed(10_000, 1_000);
    }
    assertThat(pace.foresee(10_000)).isEqualTo(1_000);
  }
}

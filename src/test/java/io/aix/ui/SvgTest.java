package io.aix.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The sync-health charts draw what the numbers say. */
class SvgTest {
  private static final Pattern BAR_HEIGHT =
      Pattern.compile("<rect class=\"mark\"[^>]* height=\"([0-9.]+)\"");
  private static final Pattern LIMIT_Y =
      Pattern.compile("<line class=\"limit\"[^>]* y1=\"([0-9.]+)\"");

  private static double first(Pattern p, String svg) {
    Matcher m = p.matcher(svg);
    assertThat(m.find()).as("%s in %s", p, svg).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void aFewCallsOfALargeBudgetAreASliverUnderTheBudgetLine() {
    String svg = Svg.bars("usage", "API calls", List.of(17L), List.of("12-01"), "#8e44ad", 250_000);

    double plot = Svg.H - 34 - 10.0;
    assertThat(first(BAR_HEIGHT, svg))
        .as("17 of 250,000 is a sliver, still visible, not a full bar")
        .isEqualTo(Svg.MIN_BAR);
    assertThat(first(LIMIT_Y, svg)).as("the budget line at the top of the plot").isEqualTo(10.0);
    assertThat(plot).isGreaterThan(100);
  }

  @Test
  void aNearlySpentBudgetFillsTheChartUpToItsLine() {
    String svg =
        Svg.bars("usage", "API calls", List.of(240_000L), List.of("12-01"), "#8e44ad", 250_000);

    double plot = Svg.H - 34 - 10.0;
    assertThat(first(BAR_HEIGHT, svg) / plot)
        .isCloseTo(0.96, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void withoutALimitTheScaleIsTheHighestBar() {
    String svg = Svg.bars("scores", "scores", List.of(5L, 10L), List.of("a", "b"), "#d35400", 0);

    assertThat(svg).doesNotContain("class=\"limit\"");
    Matcher m = BAR_HEIGHT.matcher(svg);
    m.find();
    m.find();
    assertThat(Double.parseDouble(m.group(1))).isEqualTo(Svg.H - 34 - 10.0);
  }
}

package io.aix.model;

import io.aix.enrichment.Enrichment;
import io.aix.lead.CanonicalLead;
import io.aix.scoring.RulesScorer;
import io.aix.scoring.ScoreResult;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores with the champion model: the calibrated probability is the fit part and decides the grade;
 * the engagement part (recency, decayed) still comes from the scoring profile, and the score blends
 * the two with the profile's fit weight. The reasons are the model's strongest factors for this
 * lead, in percentage points of probability, then the engagement reasons.
 */
public final class ModelScorer {
  /** Grade bands on the calibrated probability of conversion. */
  static final double GRADE_A = 0.50;

  static final double GRADE_B = 0.30;
  static final double GRADE_C = 0.15;

  private final ChampionModel champion;
  private final RulesScorer rules;
  private final Clock clock;

  public ModelScorer(ChampionModel champion, RulesScorer rules, Clock clock) {
    this.champion = champion;
    this.rules = rules;
    this.clock = clock;
  }

  public String version() {
    return champion.version();
  }

  public ScoreResult score(CanonicalLead lead, Enrichment e) {
    return score(lead, e, List.of());
  }

  /** One lead to score in a batch. */
  public record Input(
      CanonicalLead lead, Enrichment enrichment, List<io.aix.lead.EngagementSignal> signals) {}

  /**
   * Scores a batch with one model call for all its leads: the same results as {@link #score} one by
   * one, in the batch's order. A lead that cannot be encoded fails the whole call; the caller falls
   * back to scoring one by one to find it.
   */
  public List<ScoreResult> scoreAll(List<Input> batch) {
    List<ChampionModel.Scored> scored =
        champion.scoreAll(
            batch.stream().map(Input::lead).toList(),
            batch.stream().map(Input::enrichment).toList());
    List<ScoreResult> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Input in = batch.get(i);
      out.add(
          result(in.lead(), in.signals(), scored.get(i).probability(), scored.get(i).reasons()));
    }
    return out;
  }

  public ScoreResult score(
      CanonicalLead lead, Enrichment e, List<io.aix.lead.EngagementSignal> signals) {
    double p = champion.probability(lead, e);
    return result(lead, signals, p, champion.reasons(lead, e, p));
  }

  private ScoreResult result(
      CanonicalLead lead,
      List<io.aix.lead.EngagementSignal> signals,
      double p,
      List<ChampionModel.Reason> reasons) {
    int fit = (int) Math.max(0, Math.min(100, Math.round(p * 100)));
    RulesScorer.Engagement engagement = rules.engagement(lead, signals);
    double w = rules.profile().fitWeight();
    int score =
        (int) Math.max(0, Math.min(100, Math.round(w * fit + (1 - w) * engagement.score())));
    List<RulesScorer.Factor> factors = new ArrayList<>();
    for (ChampionModel.Reason r : reasons) {
      factors.add(new RulesScorer.Factor((int) Math.round(r.points()), r.text()));
    }
    factors.addAll(engagement.factors());
    String version = champion.version();
    return new ScoreResult(
        score,
        grade(p),
        Math.round(p * 10_000) / 10_000.0,
        fit,
        engagement.score(),
        RulesScorer.topFactors(factors),
        version.length() <= 64 ? version : version.substring(0, 64),
        clock.instant(),
        rules.summary(signals));
  }

  static String grade(double p) {
    return p >= GRADE_A ? "A" : p >= GRADE_B ? "B" : p >= GRADE_C ? "C" : "D";
  }
}

package io.aix.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.aix.enrichment.EnrichmentTables;
import io.aix.enrichment.LeadEnricher;
import io.aix.lead.CanonicalField;
import io.aix.lead.CanonicalLead;
import io.aix.lead.EngagementSignal;
import io.aix.lead.EngagementSignal.Type;
import io.aix.lead.LeadKey;
import io.aix.profile.ConfigNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Engagement from signals: per-type weights, the half-life, the summary and the rise. */
class EngagementSignalsScoringTest {
  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
  private final ScoringProfile profile =
      ScoringProfileLoader.load(
          ConfigNode.read(Path.of("crm-profiles/scoring/default-rules.yaml")));
  private final RulesScorer scorer = new RulesScorer(profile, Clock.fixed(NOW, ZoneOffset.UTC));
  private final LeadEnricher enricher = new LeadEnricher(EnrichmentTables.load());
  private final CanonicalLead lead =
      new CanonicalLead(
          new LeadKey("p", "Lead", "1"),
          NOW,
          Map.of(CanonicalField.EMAIL, "ana@globex.com", CanonicalField.TITLE, "Director of IT"),
          "h");
  private long seq;

  private EngagementSignal signal(Type type, Duration ago) {
    return new EngagementSignal(++seq, type, NOW.minus(ago));
  }

  @Test
  void eachSignalIsWorthItsTypesWeightHalvingEveryHalfLife() {
    // default-rules: meeting 30, form_submit 20, cap 60, half-life 14 days.
    int fresh = scorer.engagement(lead, List.of(signal(Type.MEETING, Duration.ZERO))).score();
    int halfLife =
        scorer.engagement(lead, List.of(signal(Type.MEETING, Duration.ofDays(14)))).score();
    assertThat(fresh).isEqualTo(50); // 30 of 60
    assertThat(halfLife).isEqualTo(25); // halved after 14 days
    int form = scorer.engagement(lead, List.of(signal(Type.FORM_SUBMIT, Duration.ZERO))).score();
    assertThat(form).isEqualTo(33);
    assertThat(scorer.engagement(lead, List.of()).score()).isZero();
  }

  @Test
  void engagementIsCappedAndSignalsShowAsReasons() {
    List<EngagementSignal> many = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      many.add(signal(Type.MEETING, Duration.ofHours(i)));
    }
    RulesScorer.Engagement e = scorer.engagement(lead, many);
    assertThat(e.score()).isEqualTo(100);
    assertThat(e.factors())
        .extracting(RulesScorer.Factor::text)
        .containsExactly("10 meetings, latest today");
    ScoreResult withSignals = scorer.score(lead, enricher.enrich(lead), many);
    ScoreResult without = scorer.score(lead, enricher.enrich(lead));
    assertThat(withSignals.score()).isGreaterThan(without.score());
    assertThat(withSignals.topFactors()).contains("10 meetings, latest today");
    assertThat(withSignals.fingerprint()).isNotEqualTo(without.fingerprint());
  }

  @Test
  void withoutSignalsTheScoreAndItsFingerprintAreAsBefore() {
    ScoreResult r = scorer.score(lead, enricher.enrich(lead), List.of());
    assertThat(r.signals()).isEmpty();
    assertThat(r.fingerprint()).doesNotContain("||").endsWith("|rules:default-rules@1");
    assertThat(r.fingerprint().split("\\|")).hasSize(7);
  }

  @Test
  void theSummaryCountsRecentSignalsByTypeAndNamesTheLatest() {
    List<EngagementSignal> signals =
        List.of(
            signal(Type.PAGE_VIEW, Duration.ofHours(30)),
            signal(Type.PAGE_VIEW, Duration.ofDays(3)),
            signal(Type.PAGE_VIEW, Duration.ofDays(4)),
            signal(Type.FORM_SUBMIT, Duration.ofHours(2)),
            signal(Type.EMAIL_CLICK, Duration.ofDays(60)));
    assertThat(scorer.summary(signals))
        .isEqualTo("3 page views, 1 form submitted in 28 days; latest: form submitted today");
    assertThat(scorer.summary(List.of())).isEmpty();
    assertThat(scorer.summary(List.of(signal(Type.EMAIL_CLICK, Duration.ofDays(60)))))
        .isEqualTo("None in 28 days; latest: e-mail link clicked 60 days ago");
  }

  @Test
  void theRiseCountsOnlySignalsWithinTheWindow() {
    List<EngagementSignal> signals =
        List.of(
            signal(Type.MEETING, Duration.ofDays(3)),
            signal(Type.FORM_SUBMIT, Duration.ofHours(5)),
            signal(Type.PAGE_VIEW, Duration.ofHours(1)));
    // Within 24 h: the form (20) and the page view (3), nearly fresh: 23 of 60 is 38 points.
    assertThat(scorer.signalRise(signals, NOW.minus(Duration.ofHours(24)))).isEqualTo(38);
    assertThat(scorer.signalRise(signals, NOW.minus(Duration.ofMinutes(30)))).isZero();
  }

  @Test
  void crmTimesParseInEveryShapeTheCrmsUse() {
    assertThat(EngagementSignal.parseTime("2026-11-20T10:00:00Z"))
        .contains(Instant.parse("2026-11-20T10:00:00Z"));
    assertThat(EngagementSignal.parseTime("2026-11-20T10:00:00.000+0000"))
        .contains(Instant.parse("2026-11-20T10:00:00Z"));
    assertThat(EngagementSignal.parseTime("1763632800000"))
        .contains(Instant.ofEpochMilli(1763632800000L));
    assertThat(EngagementSignal.parseTime("2026-11-20"))
        .contains(Instant.parse("2026-11-20T00:00:00Z"));
    assertThat(EngagementSignal.parseTime("last tuesday")).isEmpty();
    assertThat(EngagementSignal.parseTime("")).isEmpty();
  }
}

package io.aix.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.aix.enrichment.EnrichmentTables;
import io.aix.enrichment.LeadEnricher;
import io.aix.lead.CanonicalField;
import io.aix.lead.CanonicalLead;
import io.aix.lead.LeadKey;
import io.aix.profile.ConfigNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RulesScorerTest {
  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
  private final ScoringProfile profile =
      ScoringProfileLoader.load(
          ConfigNode.read(Path.of("crm-profiles/scoring/default-rules.yaml")));
  private final RulesScorer scorer = new RulesScorer(profile, Clock.fixed(NOW, ZoneOffset.UTC));
  private final LeadEnricher enricher = new LeadEnricher(EnrichmentTables.load());

  private ScoreResult score(Object... kv) {
    Map<CanonicalField, Object> values = new EnumMap<>(CanonicalField.class);
    for (int i = 0; i < kv.length; i += 2) {
      values.put((CanonicalField) kv[i], kv[i + 1]);
    }
    CanonicalLead lead = new CanonicalLead(new LeadKey("p", "Lead", "1"), NOW, values, "h");
    return scorer.score(lead, enricher.enrich(lead));
  }

  @Test
  void aSeniorEngagedEnterpriseLeadIsAnA() {
    ScoreResult r =
        score(
            CanonicalField.EMAIL,
            "cro@globex.com",
            CanonicalField.WEBSITE,
            "globex.com",
            CanonicalField.TITLE,
            "Chief Revenue Officer",
            CanonicalField.EMPLOYEES,
            5400L,
            CanonicalField.LEAD_SOURCE,
            "Partner Referral",
            CanonicalField.LAST_ACTIVITY_ON,
            LocalDate.parse("2026-11-23"));
    assertThat(r.grade()).isEqualTo("A");
    assertThat(r.score()).isBetween(70, 100);
    assertThat(r.probability()).isGreaterThan(0.5);
    assertThat(r.topFactors()).startsWith("+").contains("Executive buyer (c-level)");
    assertThat(r.modelVersion()).isEqualTo("rules:default-rules@1");
  }

  @Test
  void aDisposableStudentIsAD() {
    ScoreResult r =
        score(CanonicalField.EMAIL, "x@mailinator.com", CanonicalField.TITLE, "Student");
    assertThat(r.grade()).isEqualTo("D");
    assertThat(r.fit()).isZero();
    assertThat(r.topFactors())
        .contains("-30 Disposable e-mail address")
        .contains("-15 Student or intern");
  }

  @Test
  void engagementDecaysWithTheHalfLife() {
    int fresh = score(CanonicalField.LAST_ACTIVITY_ON, LocalDate.parse("2026-11-24")).engagement();
    int twoWeeks =
        score(CanonicalField.LAST_ACTIVITY_ON, LocalDate.parse("2026-11-10")).engagement();
    assertThat(twoWeeks)
        .as("one half-life (14 days) later")
        .isBetween(fresh / 2 - 1, fresh / 2 + 1);
  }

  @Test
  void gradesFollowTheThresholdsAndProbabilityRisesWithScore() {
    assertThat(profile.grades())
        .containsEntry("A", 70)
        .containsEntry("B", 50)
        .containsEntry("C", 30);
    double last = -1;
    for (int s = 0; s <= 100; s += 10) {
      double p =
          1 / (1 + Math.exp(-profile.probabilitySlope() * (s - profile.probabilityMidpoint())));
      assertThat(p).isGreaterThan(last);
      last = p;
    }
  }

  @Test
  void topFactorsNeverExceed1024CharactersAndKeepTheStrongest() {
    String padding = "x".repeat(200);
    String text =
        RulesScorer.topFactors(
            IntStream.range(1, 61)
                .mapToObj(
                    i -> new RulesScorer.Factor(i % 2 == 0 ? i : -i, "Reason " + i + " " + padding))
                .toList());
    assertThat(text.length()).isLessThanOrEqualTo(ScoreResult.TOP_FACTORS_MAX);
    assertThat(text)
        .as("strongest first, whatever its sign")
        .startsWith("+60 Reason 60")
        .contains("-59 Reason 59");
    assertThat(text).doesNotContain("Reason 1 ");
  }
}

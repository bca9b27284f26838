package io.aix.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aix.enrichment.EnrichmentTables;
import io.aix.enrichment.LeadEnricher;
import io.aix.lead.CanonicalField;
import io.aix.lead.CanonicalLead;
import io.aix.lead.LeadKey;
import io.aix.mapping.MappingLoader;
import io.aix.profile.ConfigNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Training sets that must be refused, each with its reason; and one that passes. */
class TrainingValidationTest {
  private static final LeadEnricher ENRICHER = new LeadEnricher(EnrichmentTables.load());
  private static final LeadFeatures FEATURES =
      LeadFeatures.of(
          MappingLoader.load(ConfigNode.read(Path.of("mappings/salesforce-lead.yaml"))));

  private static TrainingData.Example example(
      int i, boolean converted, String title, String source, String industry) {
    Map<CanonicalField, Object> v = new EnumMap<>(CanonicalField.class);
    v.put(CanonicalField.EMAIL, "p" + i + "@acme.com");
    v.put(CanonicalField.WEBSITE, "acme.com");
    if (title != null) {
      v.put(CanonicalField.TITLE, title);
    }
    if (source != null) {
      v.put(CanonicalField.LEAD_SOURCE, source);
    }
    if (industry != null) {
      v.put(CanonicalField.INDUSTRY, industry);
    }
    v.put(CanonicalField.COUNTRY, i % 2 == 0 ? "Germany" : "USA");
    v.put(CanonicalField.EMPLOYEES, 10L + i % 7 * 100);
    v.put(CanonicalField.PHONE, "+1 555 0100");
    v.put(CanonicalField.EMAIL_OPT_OUT, false);
    v.put(CanonicalField.ANNUAL_REVENUE, new java.math.BigDecimal(1_000_000 + i % 5));
    v.put(CanonicalField.CONVERTED, converted);
    CanonicalLead lead =
        new CanonicalLead(new LeadKey("p", "Lead", "id" + i), Instant.EPOCH, v, "");
    return new TrainingData.Example(
        lead, ENRICHER.enrich(lead), converted, Instant.ofEpochSecond(i));
  }

  private static List<TrainingData.Example> realistic(int n) {
    Random r = new Random(1);
    List<String> titles = List.of("CEO", "VP Sales", "Engineer", "Student", "Director of IT");
    List<String> sources = List.of("Web", "Partner Referral", "Trade Show", "Purchased List");
    List<TrainingData.Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          example(
              i,
              r.nextDouble() < 0.3,
              titles.get(r.nextInt(titles.size())),
              sources.get(r.nextInt(sources.size())),
              "Software"));
    }
    return out;
  }

  @Test
  void aRealisticSetPassesWithItsReport() {
    TrainingValidation.Report report = TrainingValidation.check(realistic(400), FEATURES, 300, 50);
    assertThat(report.rows()).isEqualTo(400);
    assertThat(report.conversionRate()).isBetween(0.2, 0.4);
    assertThat(report.groups()).containsKeys("seniority", "leadSource", "employees");
    assertThat(report.groups().get("seniority").distinct()).isBetween(3, 6);
  }

  @Test
  void oneClassIsRefused() {
    List<TrainingData.Example> all = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      all.add(example(i, false, "CEO", "Web", "Software"));
    }
    assertThatThrownBy(() -> TrainingValidation.check(all, FEATURES, 100, 10))
        .isInstanceOf(TrainingRefused.class)
        .hasMessageContaining("one class only (0 converted of 400");
  }

  @Test
  void aFieldMissingEverywhereIsRefused() {
    Random r = new Random(2);
    List<TrainingData.Example> rows = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      rows.add(example(i, r.nextBoolean(), "CEO", "Web", null));
    }
    assertThatThrownBy(() -> TrainingValidation.check(rows, FEATURES, 100, 10))
        .hasMessageContaining("industry is missing in every lead");
  }

  @Test
  void aFieldThatGivesTheOutcomeAwayIsRefusedAsALeak() {
    Random r = new Random(3);
    List<TrainingData.Example> rows = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      boolean converted = r.nextDouble() < 0.4;
      // As if the lead source were rewritten by sales after the deal closed.
      rows.add(example(i, converted, "CEO", converted ? "Closed Won" : "Web", "Software"));
    }
    assertThatThrownBy(() -> TrainingValidation.check(rows, FEATURES, 100, 10))
        .hasMessageContaining("leadSource predicts the outcome almost perfectly")
        .hasMessageContaining("never-use");
  }

  @Test
  void anExactRevenueFigureDoesNotLookLikeALeak() {
    Random r = new Random(4);
    List<TrainingData.Example> rows = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      TrainingData.Example e = example(i, r.nextDouble() < 0.3, "CEO", "Web", "Software");
      rows.add(e);
    }
    TrainingValidation.Report report = TrainingValidation.check(rows, FEATURES, 100, 10);
    assertThat(report.groups().get("annualRevenue").soloAuc()).isLessThan(0.7);
  }
}

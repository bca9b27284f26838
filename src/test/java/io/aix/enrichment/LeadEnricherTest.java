package io.aix.enrichment;

import static org.assertj.core.api.Assertions.assertThat;

import io.aix.enrichment.Enrichment.EmailType;
import io.aix.lead.CanonicalField;
import io.aix.lead.CanonicalLead;
import io.aix.lead.LeadKey;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeadEnricherTest {
  private final LeadEnricher enricher = new LeadEnricher(EnrichmentTables.load());

  private static CanonicalLead lead(Object... kv) {
    Map<CanonicalField, Object> values = new EnumMap<>(CanonicalField.class);
    for (int i = 0; i < kv.length; i += 2) {
      values.put((CanonicalField) kv[i], kv[i + 1]);
    }
    return new CanonicalLead(new LeadKey("p", "Lead", "1"), Instant.EPOCH, values, "h");
  }

  @Test
  void corporateAddressMatchingTheWebsite() {
    Enrichment e =
        enricher.enrich(
            lead(
                CanonicalField.EMAIL,
                "kim@eu.acme.io",
                CanonicalField.WEBSITE,
                "acme.io",
                CanonicalField.TITLE,
                "Senior VP, Revenue Operations",
                CanonicalField.COUNTRY,
                "Deutschland"));
    assertThat(e.emailType()).isEqualTo(EmailType.CORPORATE);
    assertThat(e.domainMatch()).as("a subdomain of the website's domain").isTrue();
    assertThat(e.seniority()).isEqualTo("vp");
    assertThat(e.department()).isEqualTo("operations");
    assertThat(e.countryIso()).isEqualTo("DE");
  }

  @Test
  void freeDisposableAndMissingAddresses() {
    assertThat(
            enricher.enrich(
                lead(CanonicalField.EMAIL, "kim@gmail.com", CanonicalField.WEBSITE, "acme.io")))
        .satisfies(
            e -> {
              assertThat(e.emailType()).isEqualTo(EmailType.FREE);
              assertThat(e.domainMatch()).as("free mail says nothing about the employer").isNull();
            });
    assertThat(enricher.enrich(lead(CanonicalField.EMAIL, "x@mailinator.com")).emailType())
        .isEqualTo(EmailType.DISPOSABLE);
    Enrichment none = enricher.enrich(lead(CanonicalField.TITLE, "Student"));
    assertThat(none.emailType()).isEqualTo(EmailType.NONE);
    assertThat(none.seniority()).isEqualTo("student");
    assertThat(none.countryIso()).isNull();
  }

  @Test
  void titlesAndCountriesFromTheTables() {
    assertThat(enricher.enrich(lead(CanonicalField.TITLE, "Chief Technology Officer")).department())
        .isEqualTo("engineering");
    assertThat(enricher.enrich(lead(CanonicalField.TITLE, "Chief Executive")).seniority())
        .isEqualTo("c-level");
    assertThat(enricher.enrich(lead(CanonicalField.TITLE, "Gardener")).seniority())
        .isEqualTo("unknown");
    assertThat(enricher.countryIso("u.s.a.")).isEqualTo("US");
    assertThat(enricher.countryIso("Türkiye")).isEqualTo("TR");
    assertThat(enricher.countryIso("Atlantis")).isNull();
  }
}

package io.aix.pipeline;

import io.aix.enrichment.EnrichmentTables;
import io.aix.enrichment.LeadEnricher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

/** Stage {@code enrich}: e-mail domain, title, country; table look-ups only, no network. */
@ApplicationScoped
@Named("enricher")
public class EnrichStage {
  private final LeadEnricher enricher = new LeadEnricher(EnrichmentTables.load());

  public void enrich(LeadWork work) {
    work.enrichment(enricher.enrich(work.lead()));
  }
}

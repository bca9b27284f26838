package io.aix.pipeline;

import io.aix.enrichment.EnrichmentTables;
import io.aix.enrichment.LeadEnricher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.util.List;

/** Stage {@code enrich}: e-mail domain, title, country; table look-ups only, no network. */
@ApplicationScoped
@Named("enricher")
public class EnrichStage {
  private final LeadEnricher enricher = new LeadEnricher(EnrichmentTables.load());

  /** The batch's records still to be scored; one that fails is dead-lettered. */
  public void enrichBatch(List<LeadWork> batch) {
    DeadLetterStage.eachRecord(batch, false, this::enrich);
  }

  public void enrich(LeadWork work) {
    work.enrichment(enricher.enrich(work.lead()));
  }
}

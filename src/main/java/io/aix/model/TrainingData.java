package io.aix.model;

import io.aix.enrichment.Enrichment;
import io.aix.enrichment.EnrichmentTables;
import io.aix.enrichment.LeadEnricher;
import io.aix.lead.CanonicalField;
import io.aix.lead.CanonicalLead;
import io.aix.lead.LeadKey;
import io.aix.lead.StoredLead;
import io.aix.persistence.ModelStore.HistoryRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Training history as AIX stored it: each lead's mapped canonical values and its outcome (the
 * mapping's {@code label} field), oldest first, so that models are tested on leads that came after
 * the ones they learned from.
 */
public final class TrainingData {
  private static final LeadEnricher ENRICHER = new LeadEnricher(EnrichmentTables.load());

  /** One labelled lead. */
  public record Example(CanonicalLead lead, Enrichment enrichment, boolean converted, Instant at) {}

  private TrainingData() {}

  /** Labelled leads, oldest first; leads without an outcome are not training data. */
  public static List<Example> of(String profileId, String object, List<HistoryRow> rows) {
    List<Example> out = new ArrayList<>();
    for (HistoryRow row : rows) {
      CanonicalLead lead = lead(new LeadKey(profileId, object, row.crmId()), row);
      Object label = lead.values().get(CanonicalField.CONVERTED);
      if (!(label instanceof Boolean converted)) {
        continue;
      }
      Instant at = lead.instant(CanonicalField.CREATED_AT).orElse(row.modifiedAt());
      out.add(new Example(lead, ENRICHER.enrich(lead), converted, at));
    }
    out.sort(Comparator.comparing(Example::at).thenComparing(e -> e.lead().key().crmId()));
    return out;
  }

  /** Rebuilds a canonical lead from the JSON AIX stored (typed per canonical field). */
  static CanonicalLead lead(LeadKey key, HistoryRow row) {
    return StoredLead.of(key, row.modifiedAt(), row.mappedValues(), "");
  }
}

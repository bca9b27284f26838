package io.aix.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aix.enrichment.Enrichment;
import io.aix.enrichment.EnrichmentTables;
import io.aix.enrichment.LeadEnricher;
import io.aix.lead.CanonicalField;
import io.aix.lead.CanonicalLead;
import io.aix.lead.LeadKey;
import io.aix.persistence.ModelStore.HistoryRow;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Training history as AIX stored it: each lead's mapped canonical values and its outcome (the
 * mapping's {@code label} field), oldest first, so that models are tested on leads that came after
 * the ones they learned from.
 */
public final class TrainingData {
  private static final ObjectMapper JSON = new ObjectMapper();
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
    JsonNode json;
    try {
      json = JSON.readTree(row.mappedValues());
    } catch (IOException e) {
      throw new IllegalStateException("stored lead " + key + " is not JSON", e);
    }
    Map<CanonicalField, Object> values = new EnumMap<>(CanonicalField.class);
    json.fields()
        .forEachRemaining(
            e ->
                CanonicalField.byKey(e.getKey())
                    .ifPresent(
                        f -> {
                          JsonNode v = e.getValue();
                          if (!v.isNull()) {
                            values.put(f, typed(f, v));
                          }
                        }));
    return new CanonicalLead(key, row.modifiedAt(), values, "");
  }

  private static Object typed(CanonicalField f, JsonNode v) {
    return switch (f.type()) {
      case STRING -> v.asText();
      case INTEGER -> v.asLong();
      case NUMBER -> new BigDecimal(v.asText());
      case BOOLEAN -> v.isBoolean() ? v.asBoolean() : Boolean.parseBoolean(v.asText());
      case DATE -> LocalDate.parse(v.asText());
      case DATETIME -> Instant.parse(v.asText());
    };
  }
}

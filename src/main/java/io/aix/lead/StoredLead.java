package io.aix.lead;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.Map;

/**
 * A canonical lead rebuilt from the JSON AIX stored for it ({@code lead.mapped_values}, written by
 * LeadStore: numbers and booleans as JSON, every other value as its text), typed per canonical
 * field. Training reads leads this way, and so does a re-score from stored state: both see the
 * values the lead was mapped to, not a second mapping of the CRM record.
 */
public final class StoredLead {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StoredLead() {}

  /**
   * @param inputHash the hash stored with the values (empty where it does not matter)
   * @throws IllegalStateException when the stored text is not a JSON object
   */
  public static CanonicalLead of(LeadKey key, Instant modifiedAt, String json, String inputHash) {
    JsonNode tree;
    try {
      tree = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("stored lead " + key + " is not JSON", e);
    }
    if (!tree.isObject()) {
      throw new IllegalStateException("stored lead " + key + " is not a JSON object");
    }
    Map<CanonicalField, Object> values = new EnumMap<>(CanonicalField.class);
    tree.fields()
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
    return new CanonicalLead(key, modifiedAt, values, inputHash);
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

package io.aix.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.lead.BadRecordException;
import io.aix.lead.CanonicalField;
import io.aix.lead.CanonicalLead;
import io.aix.lead.CrmRecord;
import io.aix.lead.LeadKey;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * What a CRM record becomes under a mapping, as an integration team reads it: the canonical lead's
 * fields in mapping order, or every reason the record would be dead-lettered. Used by {@code ./aix
 * mapping test} and the dry run.
 */
public final class MappingPreview {
  private MappingPreview() {}

  /**
   * The record's fields as the connector hands them to the mapping: a HubSpot object as the API
   * returns it ({@code {"id": .., "properties": {..}}}) is unwrapped to its properties, with {@code
   * hs_object_id} from its id; a Salesforce record is used as it is.
   */
  public static JsonNode recordFields(MappingProfile mapping, JsonNode record) {
    if ("hubspot".equals(mapping.crm()) && record.path("properties").isObject()) {
      ObjectNode fields = ((ObjectNode) record.get("properties")).deepCopy();
      if (!fields.hasNonNull("hs_object_id") && record.hasNonNull("id")) {
        fields.put("hs_object_id", record.get("id").asText());
      }
      return fields;
    }
    return record;
  }

  /**
   * {@code {"lead": {canonical field: value, ...}}} or {@code {"rejected": [reason, ...]}}, plus
   * the input hash that decides whether a change is re-scored.
   */
  public static ObjectNode preview(MappingProfile mapping, JsonNode record, ObjectMapper json) {
    JsonNode fields = recordFields(mapping, record);
    String id =
        fields
            .path("Id")
            .asText(fields.path("hs_object_id").asText(fields.path("id").asText("preview")));
    CrmRecord crmRecord =
        new CrmRecord(new LeadKey("preview", mapping.object(), id), Instant.now(), false, fields);
    ObjectNode out = json.createObjectNode();
    try {
      CanonicalLead lead = LeadMapper.map(mapping, crmRecord);
      ObjectNode values = out.putObject("lead");
      for (FieldMapping field : mapping.fields()) {
        Object value = lead.values().get(field.target());
        if (value != null && !values.has(field.target().key())) {
          values.put(field.target().key(), text(value));
        }
      }
      for (Map.Entry<CanonicalField, Object> e : lead.values().entrySet()) {
        if (!values.has(e.getKey().key())) {
          values.put(e.getKey().key(), text(e.getValue()));
        }
      }
      out.put("inputHash", lead.inputHash());
    } catch (BadRecordException e) {
      e.reasons().forEach(out.putArray("rejected")::add);
    }
    return out;
  }

  private static String text(Object value) {
    return value instanceof BigDecimal d ? d.toPlainString() : value.toString();
  }
}

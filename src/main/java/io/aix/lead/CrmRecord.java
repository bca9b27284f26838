package io.aix.lead;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One record as a connector read it, before mapping: the CRM's own field names and raw JSON values.
 *
 * @param key which record
 * @param modifiedAt the CRM's modification stamp (Salesforce {@code SystemModstamp}, HubSpot {@code
 *     lastmodifieddate}); together with the id it is the record's change key
 * @param deleted the CRM reports the record as deleted (or merged away)
 * @param fields the record's fields as the CRM sent them
 */
public record CrmRecord(LeadKey key, Instant modifiedAt, boolean deleted, JsonNode fields) {

  /** The de-duplication key of this version of the record: id and modification stamp. */
  public String changeKey() {
    // As Instant.toString() writes the stamp (stored keys stay comparable), without its formatter.
    return key.crmId() + "@" + IsoInstant.format(modifiedAt);
  }
}

package io.aix.mapping;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A field-mapping profile from {@code mappings/}: how one CRM object becomes a canonical lead.
 *
 * @param crm the connector type this mapping is for ({@code salesforce}, {@code hubspot})
 * @param object the CRM object ({@code Lead}, {@code Contact}, {@code contacts})
 */
public record MappingProfile(
    String id, String crm, String object, List<FieldMapping> fields, String file) {

  /** The CRM field names this mapping reads, in file order. */
  public List<String> crmFields() {
    return fields.stream().map(FieldMapping::crmField).distinct().toList();
  }

  public Set<String> crmFieldSet() {
    return fields.stream().map(FieldMapping::crmField).collect(Collectors.toSet());
  }
}

package io.aix.mapping;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A field-mapping profile from {@code mappings/}: how one CRM object becomes a canonical lead.
 *
 * @param crm the connector type this mapping is for ({@code salesforce}, {@code hubspot})
 * @param object the CRM object ({@code Lead}, {@code Contact}, {@code contacts})
 * @param signals CRM date-time fields that record an engagement (HubSpot's last e-mail open, last
 *     form submission, ...): each new value becomes an engagement signal of the field's type
 */
public record MappingProfile(
    String id,
    String crm,
    String object,
    List<FieldMapping> fields,
    List<SignalField> signals,
    String file) {

  /** A CRM field whose every new date-time value is one engagement signal of {@code type}. */
  public record SignalField(String crmField, io.aix.lead.EngagementSignal.Type type, int line) {}

  public MappingProfile(
      String id, String crm, String object, List<FieldMapping> fields, String file) {
    this(id, crm, object, fields, List.of(), file);
  }

  /** The CRM field names this mapping reads (mapped fields, then signal fields), in file order. */
  public List<String> crmFields() {
    return java.util.stream.Stream.concat(
            fields.stream().map(FieldMapping::crmField),
            signals.stream().map(SignalField::crmField))
        .distinct()
        .toList();
  }

  public Set<String> crmFieldSet() {
    return fields.stream().map(FieldMapping::crmField).collect(Collectors.toSet());
  }
}

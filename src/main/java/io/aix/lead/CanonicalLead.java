package io.aix.lead;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one lead shape that every CRM record is mapped into. Values are typed per {@link
 * CanonicalField#type()}; a field that is absent or empty in the CRM is simply not present.
 *
 * @param inputHash a hash over the CRM's mapped input fields: the same hash means nothing that AIX
 *     reads has changed, which is how AIX recognises its own writes coming back (no echo loop)
 */
public record CanonicalLead(
    LeadKey key, Instant modifiedAt, Map<CanonicalField, Object> values, String inputHash) {

  public CanonicalLead {
    EnumMap<CanonicalField, Object> copy = new EnumMap<>(CanonicalField.class);
    copy.putAll(values);
    values = Collections.unmodifiableMap(copy);
  }

  public Optional<String> string(CanonicalField field) {
    return Optional.ofNullable(values.get(field)).map(Object::toString);
  }

  public Optional<Long> integer(CanonicalField field) {
    return Optional.ofNullable((Long) values.get(field));
  }

  public Optional<BigDecimal> number(CanonicalField field) {
    return Optional.ofNullable((BigDecimal) values.get(field));
  }

  public Optional<Boolean> bool(CanonicalField field) {
    return Optional.ofNullable((Boolean) values.get(field));
  }

  public Optional<LocalDate> date(CanonicalField field) {
    return Optional.ofNullable((LocalDate) values.get(field));
  }

  public Optional<Instant> instant(CanonicalField field) {
    return Optional.ofNullable((Instant) values.get(field));
  }
}

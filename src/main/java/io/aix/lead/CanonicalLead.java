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

  /**
   * This lead with its engagement signals folded into the input hash: a new signal is a new input,
   * so the lead is scored again although none of its CRM fields changed. Without signals the hash
   * stays as it was.
   */
  public CanonicalLead withSignals(java.util.List<EngagementSignal> signals) {
    if (signals.isEmpty()) {
      return this;
    }
    long newest = signals.stream().mapToLong(EngagementSignal::seq).max().getAsLong();
    String mark = inputHash + "|signals:" + signals.size() + ":" + newest;
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(mark.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return new CanonicalLead(
          key, modifiedAt, values, java.util.HexFormat.of().formatHex(digest, 0, 16));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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

package io.aix.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import io.aix.lead.BadRecordException;
import io.aix.lead.CanonicalField;
import io.aix.lead.CanonicalLead;
import io.aix.lead.CrmRecord;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Applies a {@link MappingProfile} to a CRM record. Pure and thread-safe. Every problem of the
 * record is collected (not just the first), so the dead-letter reason tells the admin everything to
 * fix at once.
 */
public final class LeadMapper {
  /** Stage name used in dead-letter rows. */
  public static final String STAGE = "normalize";

  private LeadMapper() {}

  public static CanonicalLead map(MappingProfile mapping, CrmRecord record) {
    Map<CanonicalField, Object> values = new EnumMap<>(CanonicalField.class);
    List<String> problems = new ArrayList<>();
    for (FieldMapping field : mapping.fields()) {
      try {
        Object value = mapField(field, record.fields().get(field.crmField()));
        if (value == null) {
          if (field.required()) {
            problems.add(field.crmField() + ": required value is missing");
          }
        } else {
          values.put(field.target(), value);
        }
      } catch (Transform.InvalidValueException e) {
        problems.add(field.crmField() + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new BadRecordException(STAGE, problems);
    }
    return new CanonicalLead(record.key(), record.modifiedAt(), values, hash(values));
  }

  private static Object mapField(FieldMapping field, JsonNode raw) {
    Object value = plainValue(raw);
    for (Transform transform : field.transforms()) {
      if (value == null) {
        return null;
      }
      value = transform.apply(value);
    }
    if (value instanceof String s && s.isBlank()) {
      return null;
    }
    if (value == null) {
      return null;
    }
    value = coerce(field.target(), value);
    if (value instanceof String s
        && field.target().maxLength() > 0
        && s.codePointCount(0, s.length()) > field.target().maxLength()) {
      throw new Transform.InvalidValueException(
          s.codePointCount(0, s.length())
              + " characters, over the limit of "
              + field.target().maxLength());
    }
    return value;
  }

  private static Object plainValue(JsonNode raw) {
    if (raw == null || raw.isNull() || raw.isMissingNode()) {
      return null;
    }
    if (raw.isContainerNode()) {
      throw new Transform.InvalidValueException(
          "a nested " + (raw.isArray() ? "list" : "object") + " where a plain value was expected");
    }
    if (raw.isBoolean()) {
      return raw.booleanValue();
    }
    if (raw.isIntegralNumber()) {
      return raw.canConvertToLong() ? (Object) raw.longValue() : raw.decimalValue();
    }
    if (raw.isNumber()) {
      return raw.decimalValue();
    }
    return clean(raw.asText());
  }

  /**
   * Removes what no CRM field should hold and PostgreSQL cannot store: NUL and other control
   * characters (tab and line breaks are kept) and unpaired surrogates.
   */
  static String clean(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean control = Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r';
      boolean loneSurrogate =
          (Character.isHighSurrogate(c)
                  && (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))))
              || (Character.isLowSurrogate(c)
                  && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1))));
      if (control || loneSurrogate) {
        if (out == null) {
          out = new StringBuilder(s.length()).append(s, 0, i);
        }
        if (loneSurrogate) {
          out.append('\uFFFD');
        }
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? s : out.toString();
  }

  private static Object coerce(CanonicalField target, Object value) {
    return switch (target.type()) {
      case STRING -> value instanceof BigDecimal d ? d.toPlainString() : value.toString();
      case INTEGER -> new Transform.IntegerValue().apply(value);
      case NUMBER -> new Transform.NumberValue().apply(value);
      case BOOLEAN -> new Transform.BooleanValue().apply(value);
      case DATE -> new Transform.DateValue().apply(value);
      case DATETIME -> new Transform.DateTimeValue().apply(value);
    };
  }

  /** A stable hash of the mapped values: equal hashes mean AIX's inputs did not change. */
  static String hash(Map<CanonicalField, Object> values) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      values.forEach(
          (field, value) -> {
            digest.update(field.key().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            // Instants as Instant.toString() writes them (stored hashes stay valid), without its
            // formatter: it was most of the hash's cost.
            String text =
                value instanceof BigDecimal d
                    ? d.stripTrailingZeros().toPlainString()
                    : value instanceof java.time.Instant i
                        ? io.aix.lead.IsoInstant.format(i)
                        : value.toString();
            digest.update(text.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 1);
          });
      return HexFormat.of().formatHex(digest.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

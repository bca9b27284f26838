package io.aix.mapping;

import io.aix.lead.CanonicalField;
import io.aix.profile.ConfigNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Parses and validates one mapping file; every problem is reported as {@code file:line: ...}. */
public final class MappingLoader {
  private static final Pattern CRM_FIELD = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,79}");

  private MappingLoader() {}

  public static MappingProfile load(ConfigNode doc) {
    doc.allowOnly(Set.of("id", "crm", "object", "description", "fields", "signals"));
    String id = doc.string("id");
    String crm = doc.string("crm");
    String object = doc.string("object");
    List<FieldMapping> fields = new ArrayList<>();
    Set<CanonicalField> targets = new HashSet<>();
    boolean hasId = false;
    for (ConfigNode f : doc.get("fields").list()) {
      FieldMapping mapping = field(f);
      if (!targets.add(mapping.target())) {
        throw f.error("canonical field '" + mapping.target().key() + "' is mapped twice");
      }
      hasId |= mapping.role() == FieldRole.ID;
      fields.add(mapping);
    }
    if (fields.isEmpty()) {
      throw doc.get("fields").error("a mapping needs at least one field");
    }
    if (!hasId) {
      throw doc.get("fields").error("one field must have role 'id'");
    }
    List<MappingProfile.SignalField> signals = new ArrayList<>();
    if (doc.has("signals")) {
      Set<String> seen = new HashSet<>();
      for (ConfigNode s : doc.get("signals").list()) {
        s.allowOnly(Set.of("crm", "type"));
        String crmField = s.string("crm");
        if (!CRM_FIELD.matcher(crmField).matches()) {
          throw s.get("crm").error("'" + crmField + "' is not a valid CRM field name");
        }
        if (!seen.add(crmField)) {
          throw s.get("crm").error("signal field '" + crmField + "' is listed twice");
        }
        String type = s.string("type");
        signals.add(
            new MappingProfile.SignalField(
                crmField,
                io.aix.lead.EngagementSignal.Type.ofWire(type)
                    .orElseThrow(
                        () ->
                            s.get("type")
                                .error(
                                    "unknown signal type '"
                                        + type
                                        + "' (expected one of "
                                        + io.aix.lead.EngagementSignal.Type.names()
                                        + ")")),
                s.line()));
      }
    }
    return new MappingProfile(
        id, crm, object, List.copyOf(fields), List.copyOf(signals), doc.file());
  }

  private static FieldMapping field(ConfigNode f) {
    f.allowOnly(Set.of("crm", "canonical", "role", "required", "transforms"));
    String crmField = f.string("crm");
    if (!CRM_FIELD.matcher(crmField).matches()) {
      throw f.get("crm").error("'" + crmField + "' is not a valid CRM field name");
    }
    String canonicalName = f.string("canonical");
    CanonicalField target =
        CanonicalField.byKey(canonicalName)
            .orElseThrow(
                () ->
                    f.get("canonical")
                        .error(
                            "unknown canonical field '"
                                + canonicalName
                                + "' (known: "
                                + String.join(
                                    ", ",
                                    Arrays.stream(CanonicalField.values())
                                        .map(CanonicalField::key)
                                        .toList())
                                + ")"));
    String roleName = f.string("role");
    FieldRole role =
        FieldRole.parse(roleName)
            .orElseThrow(
                () ->
                    f.get("role")
                        .error(
                            "unknown role '"
                                + roleName
                                + "' (expected feature, label, id or never-use)"));
    if (role == FieldRole.ID && target != CanonicalField.CRM_ID) {
      throw f.get("role").error("role 'id' is only for canonical field 'crmId'");
    }
    if (role == FieldRole.LABEL && target != CanonicalField.CONVERTED) {
      throw f.get("role").error("role 'label' is only for canonical field 'converted'");
    }
    List<Transform> transforms = new ArrayList<>();
    for (ConfigNode t : f.list("transforms")) {
      transforms.add(transform(t));
    }
    return new FieldMapping(
        crmField,
        target,
        role,
        f.bool("required", role == FieldRole.ID),
        List.copyOf(transforms),
        f.line());
  }

  private static Transform transform(ConfigNode t) {
    if (t.isScalar()) {
      return switch (t.text().trim()) {
        case "trim" -> new Transform.Trim();
        case "lowercase" -> new Transform.Lowercase();
        case "uppercase" -> new Transform.Uppercase();
        case "collapseSpaces" -> new Transform.CollapseSpaces();
        case "email" -> new Transform.Email();
        case "domain" -> new Transform.Domain();
        case "number" -> new Transform.NumberValue();
        case "integer" -> new Transform.IntegerValue();
        case "boolean" -> new Transform.BooleanValue();
        case "date" -> new Transform.DateValue();
        case "datetime" -> new Transform.DateTimeValue();
        case "mapValues", "truncate", "nullIf" ->
            throw t.error("transform '" + t.text().trim() + "' needs an argument");
        default -> throw unknown(t, t.text().trim());
      };
    }
    List<String> keys = t.keys();
    if (keys.size() != 1) {
      throw t.error("a transform with an argument is written as one key, e.g. 'truncate: 255'");
    }
    String name = keys.get(0);
    ConfigNode arg = t.get(name);
    return switch (name) {
      case "truncate" -> new Transform.Truncate(arg.integer(1, 131_072));
      case "nullIf" ->
          new Transform.NullIf(
              new LinkedHashSet<>(arg.list().stream().map(ConfigNode::text).toList()));
      case "mapValues" -> {
        arg.allowOnly(Set.of("values", "otherwise"));
        Map<String, String> table = arg.get("values").stringMap();
        yield new Transform.MapValues(table, arg.optString("otherwise").orElse(null));
      }
      default -> throw unknown(t, name);
    };
  }

  private static RuntimeException unknown(ConfigNode t, String name) {
    return t.error(
        "unknown transform '" + name + "' (allowed: " + String.join(", ", Transform.NAMES) + ")");
  }
}

package io.aix.mapping;

import io.aix.lead.CanonicalField;
import java.util.List;

/**
 * One line of a mapping: a CRM field, the canonical field it fills, its role and its transforms.
 *
 * @param required a record without a value here is dead-lettered
 * @param line where the mapping file says this, for error messages
 */
public record FieldMapping(
    String crmField,
    CanonicalField target,
    FieldRole role,
    boolean required,
    List<Transform> transforms,
    int line) {}

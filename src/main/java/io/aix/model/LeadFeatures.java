package io.aix.model;

import io.aix.enrichment.Enrichment;
import io.aix.lead.CanonicalField;
import io.aix.lead.CanonicalLead;
import io.aix.mapping.FieldRole;
import io.aix.mapping.MappingProfile;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a model learns from: who the lead is (the mapping's {@code feature} fields and what
 * enrichment infers from them). Label and never-use fields are never read, so the outcome cannot
 * leak in through them; engagement recency stays with the rules scorer's engagement part, because a
 * converted lead's last activity is often the sale itself.
 *
 * <p>Each feature belongs to a group (a field); explanations speak of groups, in plain words.
 */
public final class LeadFeatures {
  /** Group -> the words an explanation uses for it. */
  public static final Map<String, String> GROUPS;

  static {
    Map<String, String> g = new LinkedHashMap<>();
    g.put("seniority", "Seniority");
    g.put("department", "Department");
    g.put("emailType", "E-mail address");
    g.put("domainMatch", "E-mail domain matches the website");
    g.put("country", "Country");
    g.put("industry", "Industry");
    g.put("leadSource", "Lead source");
    g.put("employees", "Company size");
    g.put("annualRevenue", "Annual revenue");
    g.put("phone", "Phone number");
    g.put("website", "Website");
    g.put("emailOptOut", "E-mail opt-out");
    GROUPS = Map.copyOf(g);
  }

  private final Set<CanonicalField> features;

  private LeadFeatures(Set<CanonicalField> features) {
    this.features = features;
  }

  /** The features a mapping allows: only fields it maps with role {@code feature}. */
  public static LeadFeatures of(MappingProfile mapping) {
    Set<CanonicalField> allowed = EnumSet.noneOf(CanonicalField.class);
    mapping.fields().stream()
        .filter(f -> f.role() == FieldRole.FEATURE)
        .forEach(f -> allowed.add(f.target()));
    return new LeadFeatures(allowed);
  }

  public Set<CanonicalField> fields() {
    return features;
  }

  private boolean has(CanonicalField f) {
    return features.contains(f);
  }

  /** The groups this mapping can feed; a model is only valid for the groups it was trained on. */
  public List<String> groups() {
    return GROUPS.keySet().stream().filter(this::feeds).sorted().toList();
  }

  private boolean feeds(String group) {
    return switch (group) {
      case "seniority", "department" -> has(CanonicalField.TITLE);
      case "emailType" -> has(CanonicalField.EMAIL);
      case "domainMatch" -> has(CanonicalField.EMAIL) && has(CanonicalField.WEBSITE);
      case "country" -> has(CanonicalField.COUNTRY);
      case "industry" -> has(CanonicalField.INDUSTRY);
      case "leadSource" -> has(CanonicalField.LEAD_SOURCE);
      case "employees" -> has(CanonicalField.EMPLOYEES);
      case "annualRevenue" -> has(CanonicalField.ANNUAL_REVENUE);
      case "phone" -> has(CanonicalField.PHONE);
      case "website" -> has(CanonicalField.WEBSITE);
      case "emailOptOut" -> has(CanonicalField.EMAIL_OPT_OUT);
      default -> false;
    };
  }

  /** The lead's features; with {@code without} set, that group is reported as missing. */
  public FeatureSet encode(CanonicalLead lead, Enrichment e, String without) {
    FeatureSet f = new FeatureSet();
    for (String group : groups()) {
      boolean hide = group.equals(without);
      switch (group) {
        case "seniority" -> f.categorical(group, hide ? null : known(e.seniority()));
        case "department" -> f.categorical(group, hide ? null : known(e.department()));
        case "emailType" ->
            f.categorical(
                group,
                hide || e.emailType() == Enrichment.EmailType.NONE
                    ? null
                    : e.emailType().name().toLowerCase(Locale.ROOT));
        case "domainMatch" ->
            f.categorical(group, hide || e.domainMatch() == null ? null : e.domainMatch() + "");
        case "country" -> f.categorical(group, hide ? null : e.countryIso());
        case "industry" ->
            f.categorical(group, hide ? null : lead.string(CanonicalField.INDUSTRY).orElse(null));
        case "leadSource" ->
            f.categorical(
                group, hide ? null : lead.string(CanonicalField.LEAD_SOURCE).orElse(null));
        case "employees" ->
            f.numeric(
                group,
                hide
                    ? null
                    : lead.integer(CanonicalField.EMPLOYEES)
                        .map(n -> Math.log1p(Math.max(0, n)))
                        .orElse(null));
        case "annualRevenue" ->
            f.numeric(
                group,
                hide
                    ? null
                    : lead.number(CanonicalField.ANNUAL_REVENUE)
                        .map(n -> Math.log1p(Math.max(0, n.doubleValue())))
                        .orElse(null));
        case "phone" ->
            f.categorical(
                group, hide || lead.string(CanonicalField.PHONE).isEmpty() ? null : "given");
        case "website" ->
            f.categorical(
                group, hide || lead.string(CanonicalField.WEBSITE).isEmpty() ? null : "given");
        case "emailOptOut" ->
            f.categorical(
                group,
                hide
                    ? null
                    : lead.bool(CanonicalField.EMAIL_OPT_OUT).map(b -> b + "").orElse(null));
        default -> throw new IllegalStateException(group);
      }
    }
    return f;
  }

  /** The value an explanation names for a group, or null when the lead has none. */
  public static String describe(CanonicalLead lead, Enrichment e, String group) {
    return switch (group) {
      case "seniority" -> known(e.seniority());
      case "department" -> known(e.department());
      case "emailType" ->
          e.emailType() == Enrichment.EmailType.NONE
              ? null
              : e.emailType().name().toLowerCase(Locale.ROOT);
      case "domainMatch" -> e.domainMatch() == null ? null : e.domainMatch() ? "yes" : "no";
      case "country" -> e.countryIso();
      case "industry" -> lead.string(CanonicalField.INDUSTRY).orElse(null);
      case "leadSource" -> lead.string(CanonicalField.LEAD_SOURCE).orElse(null);
      case "employees" ->
          lead.integer(CanonicalField.EMPLOYEES)
              .map(n -> String.format("%,d employee%s", n, n == 1 ? "" : "s"))
              .orElse(null);
      case "annualRevenue" ->
          lead.number(CanonicalField.ANNUAL_REVENUE)
              .map(n -> String.format("%,.0f", n.doubleValue()))
              .orElse(null);
      case "phone", "website" ->
          lead.string(group.equals("phone") ? CanonicalField.PHONE : CanonicalField.WEBSITE)
              .map(s -> "given")
              .orElse(null);
      case "emailOptOut" ->
          lead.bool(CanonicalField.EMAIL_OPT_OUT).map(b -> b ? "yes" : "no").orElse(null);
      default -> null;
    };
  }

  private static String known(String value) {
    return value == null || value.equals("unknown") ? null : value;
  }
}

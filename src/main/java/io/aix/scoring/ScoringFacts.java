package io.aix.scoring;

import io.aix.enrichment.Enrichment;
import io.aix.lead.CanonicalField;
import io.aix.lead.CanonicalLead;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The facts a scoring rule may test: feature-role canonical fields plus enrichment. Label and
 * never-use fields are not facts, so a rule cannot leak the outcome into the score.
 */
public final class ScoringFacts {
  public static final List<String> NAMES =
      List.of(
          "email",
          "emailType",
          "domainMatch",
          "seniority",
          "department",
          "countryIso",
          "company",
          "title",
          "industry",
          "leadSource",
          "employees",
          "annualRevenue",
          "phone",
          "website",
          "emailOptOut");

  private ScoringFacts() {}

  public static Map<String, Object> of(CanonicalLead lead, Enrichment e) {
    Map<String, Object> facts = new HashMap<>();
    facts.put("email", lead.string(CanonicalField.EMAIL).orElse(null));
    facts.put(
        "emailType",
        e.emailType() == Enrichment.EmailType.NONE
            ? null
            : e.emailType().name().toLowerCase(Locale.ROOT));
    facts.put("domainMatch", e.domainMatch() == null ? null : e.domainMatch().toString());
    facts.put("seniority", "unknown".equals(e.seniority()) ? null : e.seniority());
    facts.put("department", "unknown".equals(e.department()) ? null : e.department());
    facts.put("countryIso", e.countryIso());
    facts.put("company", lead.string(CanonicalField.COMPANY).orElse(null));
    facts.put("title", lead.string(CanonicalField.TITLE).orElse(null));
    facts.put("industry", lead.string(CanonicalField.INDUSTRY).orElse(null));
    facts.put("leadSource", lead.string(CanonicalField.LEAD_SOURCE).orElse(null));
    facts.put("employees", lead.integer(CanonicalField.EMPLOYEES).orElse(null));
    facts.put("annualRevenue", lead.number(CanonicalField.ANNUAL_REVENUE).orElse(null));
    facts.put("phone", lead.string(CanonicalField.PHONE).orElse(null));
    facts.put("website", lead.string(CanonicalField.WEBSITE).orElse(null));
    facts.put(
        "emailOptOut", lead.bool(CanonicalField.EMAIL_OPT_OUT).map(Object::toString).orElse(null));
    return facts;
  }
}

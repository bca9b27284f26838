package io.aix.enrichment;

import io.aix.enrichment.Enrichment.EmailType;
import io.aix.lead.CanonicalField;
import io.aix.lead.CanonicalLead;
import java.util.Locale;
import java.util.regex.Pattern;

/** Enrichment v1: pure look-ups in {@link EnrichmentTables}; thread-safe, no network. */
public final class LeadEnricher {
  private final EnrichmentTables tables;

  /**
   * Seniority and department by title: an org's titles repeat (thousands of "Sales Manager"), and
   * each look-up runs every title rule's pattern. Bounded: emptied when it holds this many.
   */
  private final java.util.Map<String, String[]> titles =
      new java.util.concurrent.ConcurrentHashMap<>();

  static final int TITLES_KEPT = 50_000;

  public LeadEnricher(EnrichmentTables tables) {
    this.tables = tables;
  }

  public Enrichment enrich(CanonicalLead lead) {
    String email = lead.string(CanonicalField.EMAIL).orElse(null);
    String emailDomain = email == null ? null : email.substring(email.lastIndexOf('@') + 1);
    EmailType emailType = emailType(emailDomain);
    String webDomain = lead.string(CanonicalField.WEBSITE).map(LeadEnricher::domainOf).orElse(null);
    Boolean domainMatch =
        emailDomain == null || webDomain == null || emailType != EmailType.CORPORATE
            ? null
            : sameOrganisation(emailDomain, webDomain);
    String title = lead.string(CanonicalField.TITLE).orElse("");
    String[] byTitle = titles.get(title);
    if (byTitle == null) {
      byTitle = new String[] {titleValue(title, "seniority"), titleValue(title, "department")};
      if (titles.size() >= TITLES_KEPT) {
        titles.clear();
      }
      titles.put(title, byTitle);
    }
    return new Enrichment(
        emailType,
        emailDomain,
        domainMatch,
        byTitle[0],
        byTitle[1],
        lead.string(CanonicalField.COUNTRY).map(this::countryIso).orElse(null));
  }

  EmailType emailType(String domain) {
    if (domain == null) {
      return EmailType.NONE;
    }
    if (tables.disposable.contains(domain)) {
      return EmailType.DISPOSABLE;
    }
    return tables.freeMail.contains(domain) ? EmailType.FREE : EmailType.CORPORATE;
  }

  private String titleValue(String title, String kind) {
    for (EnrichmentTables.TitleRule rule : tables.titleRules) {
      if (rule.kind().equals(kind) && rule.pattern().matcher(title).find()) {
        return rule.value();
      }
    }
    return "unknown";
  }

  String countryIso(String country) {
    String key = country.strip().toLowerCase(Locale.ROOT);
    String iso = tables.countries.get(key);
    if (iso == null
        && key.length() == 2
        && tables.countries.containsValue(key.toUpperCase(Locale.ROOT))) {
      iso = key.toUpperCase(Locale.ROOT);
    }
    return iso;
  }

  // Compiled once: String.replaceFirst compiles its pattern on every call, for every lead.
  private static final Pattern SCHEME = Pattern.compile("^[a-z][a-z0-9+.-]*://");
  private static final Pattern AFTER_HOST = Pattern.compile("[/?#:].*$");
  private static final Pattern WWW = Pattern.compile("^www\\.");

  static String domainOf(String website) {
    String s = website.strip().toLowerCase(Locale.ROOT);
    s = AFTER_HOST.matcher(SCHEME.matcher(s).replaceFirst("")).replaceFirst("");
    return WWW.matcher(s).replaceFirst("");
  }

  /** acme.com matches acme.com, mail.acme.com and acme.com's subdomains. */
  static boolean sameOrganisation(String emailDomain, String webDomain) {
    return emailDomain.equals(webDomain)
        || emailDomain.endsWith("." + webDomain)
        || webDomain.endsWith("." + emailDomain);
  }
}

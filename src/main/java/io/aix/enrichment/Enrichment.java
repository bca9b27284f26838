package io.aix.enrichment;

/**
 * What AIX infers about a lead without any network call.
 *
 * @param emailType corporate, free, disposable or none
 * @param emailDomain the address's domain, if there is an address
 * @param domainMatch the e-mail domain equals the company website's domain (null when either is
 *     missing)
 * @param seniority c-level, vp, director, manager, individual, student or unknown
 * @param department sales, marketing, engineering, it, finance, hr, operations, executive,
 *     education or unknown
 * @param countryIso ISO 3166-1 alpha-2 code, or null when the country is missing or unknown
 */
public record Enrichment(
    EmailType emailType,
    String emailDomain,
    Boolean domainMatch,
    String seniority,
    String department,
    String countryIso) {

  public enum EmailType {
    CORPORATE,
    FREE,
    DISPOSABLE,
    NONE
  }
}

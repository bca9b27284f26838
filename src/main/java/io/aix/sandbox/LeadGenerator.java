package io.aix.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Generates realistic Salesforce leads: names, companies with matching web domains, titles,
 * sources, countries, activity dates, and a conversion history that depends on them (senior titles
 * at larger companies from referrals convert more often), so that scores can be checked against
 * outcomes. Deterministic for a given seed.
 */
public final class LeadGenerator {
  private static final DateTimeFormatter SF_DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx").withZone(ZoneOffset.UTC);
  private static final List<String> FIRST =
      List.of(
          "Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah", "Mia", "James",
          "Priya", "Arjun", "Mei", "Hiroshi", "Fatima", "Omar", "Lucía", "Mateo", "Ingrid", "Lars",
          "Chloé", "Léa", "Jürgen", "Zoë", "Siobhán", "Nikolai", "Aisha", "Kwame", "Ana", "João");
  private static final List<String> LAST =
      List.of(
          "Smith",
          "Johnson",
          "Williams",
          "Brown",
          "Garcia",
          "Miller",
          "Davis",
          "Martinez",
          "Patel",
          "Sharma",
          "Chen",
          "Tanaka",
          "Khan",
          "Haddad",
          "Fernández",
          "Silva",
          "Nilsson",
          "Larsen",
          "Dubois",
          "Müller",
          "O'Brien",
          "Kowalski",
          "Novak",
          "Okafor",
          "Mensah",
          "Rossi");
  private static final List<String[]> COMPANIES =
      List.of(
          new String[] {"Acme Analytics", "acme-analytics.com", "Technology", "1200"},
          new String[] {"Northwind Traders", "northwind.example.com", "Retail", "340"},
          new String[] {"Globex Corporation", "globex.com", "Manufacturing", "5400"},
          new String[] {"Initech", "initech.io", "Technology", "85"},
          new String[] {"Umbrella Health", "umbrellahealth.org", "Healthcare", "2300"},
          new String[] {"Stark Logistics", "starklogistics.com", "Transportation", "760"},
          new String[] {"Wayne Financial", "waynefinancial.com", "Banking", "9800"},
          new String[] {"Hooli", "hooli.xyz", "Technology", "15000"},
          new String[] {"Pied Piper", "piedpiper.com", "Technology", "24"},
          new String[] {"Vandelay Industries", "vandelay.com", "Manufacturing", "140"},
          new String[] {"Bluth Company", "bluthcompany.com", "Construction", "60"},
          new String[] {"Dunder Mifflin", "dundermifflin.com", "Wholesale", "410"},
          new String[] {"Tyrell Systems", "tyrell.ai", "Technology", "620"},
          new String[] {"Soylent Foods", "soylent.example.com", "Food & Beverage", "1900"},
          new String[] {"Cyberdyne Robotics", "cyberdyne.io", "Technology", "3100"},
          new String[] {"Oceanic Air", "oceanicair.com", "Transportation", "7100"},
          new String[] {"Gringotts Bank", "gringotts.co.uk", "Banking", "880"},
          new String[] {"Nakatomi Trading", "nakatomi.jp", "Wholesale", "2600"},
          new String[] {"Kowalski Bakery", "kowalskibakery.pl", "Food & Beverage", "7"},
          new String[] {"Massive Dynamic", "massivedynamic.com", "Biotechnology", "12000"});
  private static final List<String> TITLES =
      List.of(
          "Chief Revenue Officer",
          "CEO",
          "VP of Sales",
          "VP Marketing",
          "Director of Operations",
          "Head of Growth",
          "IT Director",
          "Sales Manager",
          "Marketing Manager",
          "Engineering Manager",
          "Software Engineer",
          "Data Analyst",
          "Account Executive",
          "Marketing Specialist",
          "Operations Coordinator",
          "Executive Assistant",
          "Student",
          "Intern",
          "Consultant",
          "Procurement Lead");
  private static final List<String> SOURCES =
      List.of(
          "Web",
          "Partner Referral",
          "Employee Referral",
          "Webinar",
          "Trade Show",
          "Advertisement",
          "Purchased List",
          "Phone Inquiry",
          "Other");
  private static final List<String> COUNTRIES =
      List.of(
          "United States",
          "USA",
          "United Kingdom",
          "Germany",
          "France",
          "India",
          "Canada",
          "Australia",
          "Brazil",
          "Japan",
          "Netherlands",
          "Sweden",
          "Spain",
          "Nigeria",
          "Singapore");
  private static final List<String> FREE_MAIL =
      List.of("gmail.com", "yahoo.com", "outlook.com", "proton.me");

  private final Random random;
  private final Clock clock;

  public LeadGenerator(long seed, Clock clock) {
    this.random = new Random(seed);
    this.clock = clock;
  }

  /** One lead's fields, ready for {@link SalesforceOrg#insert}. */
  public Map<String, Object> lead() {
    Map<String, Object> f = new LinkedHashMap<>();
    String first = pick(FIRST);
    String last = pick(LAST);
    String[] company = pick(COMPANIES);
    String title = pick(TITLES);
    String source = pick(SOURCES);
    f.put("FirstName", first);
    f.put("LastName", last);
    f.put("Company", company[0]);
    f.put("Title", title);
    f.put("Industry", company[2]);
    f.put("NumberOfEmployees", Integer.parseInt(company[3]));
    f.put("AnnualRevenue", Long.parseLong(company[3]) * (80_000 + random.nextInt(120_000)));
    f.put("Website", "https://www." + company[1]);
    String localPart =
        ascii(first).toLowerCase(Locale.ROOT) + "." + ascii(last).toLowerCase(Locale.ROOT);
    boolean corporate = random.nextDouble() < 0.7;
    f.put(
        "Email",
        localPart + random.nextInt(100) + "@" + (corporate ? company[1] : pick(FREE_MAIL)));
    if (random.nextDouble() < 0.6) {
      f.put("Phone", "+1 415 555 " + String.format("%04d", random.nextInt(10_000)));
    }
    f.put("Country", pick(COUNTRIES));
    f.put("LeadSource", source);
    f.put("HasOptedOutOfEmail", random.nextDouble() < 0.05);
    Instant now = clock.instant();
    Instant created = now.minus(Duration.ofMinutes(random.nextInt(60 * 24 * 180)));
    f.put("CreatedDate", SF_DATETIME.format(created));
    if (random.nextDouble() < 0.7) {
      long daysAgo = random.nextInt(60);
      f.put(
          "LastActivityDate",
          LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(daysAgo).toString());
    }
    boolean converted = random.nextDouble() < conversionChance(title, company, source, corporate);
    f.put("IsConverted", converted);
    f.put(
        "Status",
        converted
            ? "Closed - Converted"
            : pick(
                List.of("Open - Not Contacted", "Working - Contacted", "Closed - Not Converted")));
    if (converted) {
      f.put(
          "ConvertedDate",
          LocalDate.ofInstant(created, ZoneOffset.UTC).plusDays(5 + random.nextInt(40)).toString());
    }
    return f;
  }

  /**
   * The hidden truth the outcomes follow: seniority, company size, intent of the source, e-mail.
   */
  private double conversionChance(
      String title, String[] company, String source, boolean corporate) {
    double logit = -2.0;
    String t = title.toLowerCase(Locale.ROOT);
    if (t.contains("chief") || t.equals("ceo") || t.startsWith("vp")) {
      logit += 1.4;
    } else if (t.contains("director") || t.contains("head")) {
      logit += 0.9;
    } else if (t.contains("manager") || t.contains("lead")) {
      logit += 0.4;
    } else if (t.equals("student") || t.equals("intern")) {
      logit -= 1.5;
    }
    int employees = Integer.parseInt(company[3]);
    logit += employees >= 1000 ? 0.8 : employees >= 200 ? 0.4 : employees < 10 ? -0.6 : 0;
    logit +=
        switch (source) {
          case "Partner Referral", "Employee Referral" -> 1.0;
          case "Webinar", "Trade Show" -> 0.5;
          case "Purchased List" -> -0.8;
          default -> 0;
        };
    logit += corporate ? 0.5 : -0.3;
    return 1 / (1 + Math.exp(-logit));
  }

  /** HubSpot's original-source values for the Salesforce-style lead sources above. */
  private static final Map<String, String> HUBSPOT_SOURCE =
      Map.of(
          "Web", "ORGANIC_SEARCH",
          "Partner Referral", "REFERRALS",
          "Employee Referral", "REFERRALS",
          "Webinar", "OFFLINE",
          "Trade Show", "OFFLINE",
          "Advertisement", "PAID_SEARCH",
          "Purchased List", "OTHER_CAMPAIGNS",
          "Phone Inquiry", "DIRECT_TRAFFIC",
          "Other", "OTHER_CAMPAIGNS");

  private static final List<String> HUBSPOT_OWNERS = List.of("31415926", "27182818", "16180339");

  /**
   * One contact's properties for {@link HubSpotPortal#createContact}: the same people and the same
   * hidden truth as {@link #lead()}, in HubSpot's property names and string values (company size as
   * HubSpot's {@code numemployees} ranges, the outcome as the lifecycle stage).
   */
  public Map<String, String> contact() {
    Map<String, Object> lead = lead();
    Map<String, String> p = new LinkedHashMap<>();
    p.put("firstname", (String) lead.get("FirstName"));
    p.put("lastname", (String) lead.get("LastName"));
    p.put("email", (String) lead.get("Email"));
    p.put("company", (String) lead.get("Company"));
    p.put("jobtitle", (String) lead.get("Title"));
    p.put("industry", (String) lead.get("Industry"));
    p.put("website", (String) lead.get("Website"));
    if (lead.get("Phone") != null) {
      p.put("phone", (String) lead.get("Phone"));
    }
    p.put("country", (String) lead.get("Country"));
    p.put("numemployees", employeeRange((Integer) lead.get("NumberOfEmployees")));
    p.put("annualrevenue", String.valueOf(lead.get("AnnualRevenue")));
    p.put("hs_analytics_source", HUBSPOT_SOURCE.get((String) lead.get("LeadSource")));
    p.put("hs_email_optout", String.valueOf(lead.get("HasOptedOutOfEmail")));
    p.put(
        "createdate",
        java.time.OffsetDateTime.parse(
                ((String) lead.get("CreatedDate")).replaceFirst("(\\d{2})(\\d{2})$", "$1:$2"))
            .toInstant()
            .toString());
    if (lead.get("LastActivityDate") != null) {
      p.put("notes_last_updated", lead.get("LastActivityDate") + "T15:30:00Z");
    }
    boolean converted = (Boolean) lead.get("IsConverted");
    p.put(
        "lifecyclestage",
        converted ? "customer" : pick(List.of("lead", "marketingqualifiedlead", "subscriber")));
    p.put(
        "hs_lead_status",
        converted ? "CONNECTED" : pick(List.of("NEW", "OPEN", "IN_PROGRESS", "UNQUALIFIED")));
    p.put("hubspot_owner_id", pick(HUBSPOT_OWNERS));
    engagement(p);
    return p;
  }

  /**
   * The engagement HubSpot records on a contact (last e-mail open and click, last form, last
   * meeting booked), for some contacts, in the last weeks. Drawn from the contact's own seed, so
   * the rest of the generated data stays as it was.
   */
  private void engagement(Map<String, String> p) {
    Random r = new Random(java.util.Objects.hashCode(p.get("email")));
    Instant now = clock.instant();
    Instant created = Instant.parse(p.get("createdate"));
    String[][] kinds = {
      {"hs_email_last_open_date", "0.5"},
      {"hs_email_last_click_date", "0.25"},
      {"recent_conversion_date", "0.2"},
      {"engagements_last_meeting_booked", "0.08"}
    };
    for (String[] k : kinds) {
      if (r.nextDouble() < Double.parseDouble(k[1])) {
        Instant at = now.minusSeconds(3600L + r.nextInt(30 * 86_400));
        if (at.isAfter(created)) {
          p.put(k[0], at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        }
      }
    }
  }

  private static String employeeRange(int employees) {
    if (employees <= 5) {
      return "1-5";
    } else if (employees <= 25) {
      return "5-25";
    } else if (employees <= 50) {
      return "25-50";
    } else if (employees <= 100) {
      return "50-100";
    } else if (employees <= 500) {
      return "100-500";
    } else if (employees <= 1000) {
      return "500-1000";
    }
    return "1000+";
  }

  private static String ascii(String s) {
    return java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFD)
        .replaceAll("\\p{M}", "")
        .replaceAll("[^A-Za-z]", "");
  }

  private <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }
}

package io.aix.lead;

import java.util.Arrays;
import java.util.Optional;

/**
 * The closed set of fields a canonical lead can hold. Mappings may only target these names, which
 * keeps scoring, persistence and every connector speaking one vocabulary. {@code maxLength} mirrors
 * the common Salesforce/HubSpot field sizes: a longer value is bad input, not something to store.
 */
public enum CanonicalField {
  CRM_ID("crmId", Type.STRING, 64),
  EMAIL("email", Type.STRING, 254),
  FIRST_NAME("firstName", Type.STRING, 80),
  LAST_NAME("lastName", Type.STRING, 80),
  COMPANY("company", Type.STRING, 255),
  TITLE("title", Type.STRING, 128),
  WEBSITE("website", Type.STRING, 255),
  PHONE("phone", Type.STRING, 40),
  COUNTRY("country", Type.STRING, 80),
  STATE("state", Type.STRING, 80),
  CITY("city", Type.STRING, 80),
  INDUSTRY("industry", Type.STRING, 255),
  LEAD_SOURCE("leadSource", Type.STRING, 255),
  STATUS("status", Type.STRING, 255),
  RATING("rating", Type.STRING, 255),
  OWNER_ID("ownerId", Type.STRING, 64),
  EMPLOYEES("employees", Type.INTEGER, 0),
  ANNUAL_REVENUE("annualRevenue", Type.NUMBER, 0),
  EMAIL_OPT_OUT("emailOptOut", Type.BOOLEAN, 0),
  CONVERTED("converted", Type.BOOLEAN, 0),
  CONVERTED_ON("convertedOn", Type.DATE, 0),
  CREATED_AT("createdAt", Type.DATETIME, 0),
  LAST_ACTIVITY_ON("lastActivityOn", Type.DATE, 0),
  /** A rep's verdict on the score: too_high, too_low or spot_on (never a scoring input). */
  FEEDBACK("feedback", Type.STRING, 16);

  /** The value type a field holds after its transforms have run. */
  public enum Type {
    STRING,
    INTEGER,
    NUMBER,
    BOOLEAN,
    DATE,
    DATETIME
  }

  private final String key;
  private final Type type;
  private final int maxLength;

  CanonicalField(String key, Type type, int maxLength) {
    this.key = key;
    this.type = type;
    this.maxLength = maxLength;
  }

  /** The name used in mapping files and in JSON. */
  public String key() {
    return key;
  }

  public Type type() {
    return type;
  }

  /** Longest accepted string, or 0 where the type is not a string. */
  public int maxLength() {
    return maxLength;
  }

  public static Optional<CanonicalField> byKey(String key) {
    return Arrays.stream(values()).filter(f -> f.key.equals(key)).findFirst();
  }
}

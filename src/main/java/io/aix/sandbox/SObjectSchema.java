package io.aix.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of one simulated sObject, with the types and lengths a real org's describe reports.
 */
final class SObjectSchema {
  /**
   * One field as describe reports it; {@code precision} and {@code scale} (digits in all, digits
   * after the point) for number, percent and currency fields, 0 for others.
   */
  record Field(
      String name,
      String type,
      int length,
      boolean updateable,
      boolean custom,
      int precision,
      int scale) {
    boolean decimal() {
      return type.equals("double") || type.equals("percent") || type.equals("currency");
    }
  }

  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final String CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

  private final String name;
  private final String keyPrefix;
  private final Map<String, Field> fields =
      java.util.Collections.synchronizedMap(new LinkedHashMap<>());

  private SObjectSchema(String name, String keyPrefix) {
    this(name, keyPrefix, true);
  }

  private SObjectSchema(String name, String keyPrefix, boolean person) {
    this.name = name;
    this.keyPrefix = keyPrefix;
    add("Id", "id", 18, false);
    add("IsDeleted", "boolean", 0, false);
    add("OwnerId", "reference", 18, true);
    add("CreatedDate", "datetime", 0, false);
    add("CreatedById", "reference", 18, false);
    add("LastModifiedDate", "datetime", 0, false);
    add("LastModifiedById", "reference", 18, false);
    add("SystemModstamp", "datetime", 0, false);
    if (!person) {
      return;
    }
    add("FirstName", "string", 40, true);
    add("LastName", "string", 80, true);
    add("Email", "email", 80, true);
    add("Phone", "phone", 40, true);
    add("Title", "string", 128, true);
    add("LeadSource", "picklist", 255, true);
    add("HasOptedOutOfEmail", "boolean", 0, true);
    add("LastActivityDate", "date", 0, false);
    // Precision and scale as the install kit creates the fields
    // (crm-profiles/install/salesforce/force-app/main/default/objects/*/fields/*.field-meta.xml).
    number("AIX_Score__c", "double", 3, 0);
    custom("AIX_Grade__c", "picklist", 255);
    number("AIX_Conversion_Probability__c", "percent", 4, 1);
    number("AIX_Fit_Score__c", "double", 3, 0);
    number("AIX_Engagement_Score__c", "double", 3, 0);
    custom("AIX_Top_Factors__c", "textarea", 1024);
    custom("AIX_Scored_At__c", "datetime", 0);
    custom("AIX_Model_Version__c", "string", 64);
    custom("AIX_Signals__c", "string", 255);
    custom("AIX_Feedback__c", "picklist", 255);
  }

  static SObjectSchema lead() {
    SObjectSchema s = new SObjectSchema("Lead", "00Q");
    s.add("Company", "string", 255, true);
    s.add("Website", "url", 255, true);
    s.add("Country", "string", 80, true);
    s.add("State", "string", 80, true);
    s.add("City", "string", 40, true);
    s.add("Industry", "picklist", 255, true);
    s.add("NumberOfEmployees", "int", 0, true);
    s.fields.put("AnnualRevenue", new Field("AnnualRevenue", "currency", 0, true, false, 18, 0));
    s.add("Status", "picklist", 255, true);
    s.add("Rating", "picklist", 255, true);
    s.add("IsConverted", "boolean", 0, false);
    s.add("ConvertedDate", "date", 0, false);
    return s;
  }

  /** An activity: what AIX creates for a hot lead's owner. */
  static SObjectSchema task() {
    SObjectSchema s = new SObjectSchema("Task", "00T", false);
    s.add("Subject", "combobox", 255, true);
    s.add("Description", "textarea", 32000, true);
    s.add("WhoId", "reference", 18, true);
    s.add("WhatId", "reference", 18, true);
    s.add("ActivityDate", "date", 0, true);
    s.add("Status", "picklist", 255, true);
    s.add("Priority", "picklist", 255, true);
    s.add("TaskSubtype", "picklist", 255, true);
    s.add("Type", "picklist", 255, true);
    s.add("CompletedDateTime", "datetime", 0, false);
    return s;
  }

  /** A lead's or contact's membership of a campaign, and whether they responded. */
  static SObjectSchema campaignMember() {
    SObjectSchema s = new SObjectSchema("CampaignMember", "00v", false);
    s.add("CampaignId", "reference", 18, false);
    s.add("LeadId", "reference", 18, false);
    s.add("ContactId", "reference", 18, false);
    s.add("Status", "picklist", 255, true);
    s.add("HasResponded", "boolean", 0, false);
    s.add("FirstRespondedDate", "date", 0, false);
    return s;
  }

  /** Whether a field must be given when a record is created. */
  boolean requiredOnCreate(String field) {
    return name.equals("Task") && (field.equals("Status") || field.equals("Priority"));
  }

  static SObjectSchema contact() {
    SObjectSchema s = new SObjectSchema("Contact", "003");
    s.add("AccountId", "reference", 18, true);
    s.add("Department", "string", 80, true);
    s.add("MailingCountry", "string", 80, true);
    s.add("MailingState", "string", 80, true);
    s.add("MailingCity", "string", 40, true);
    return s;
  }

  private void add(String field, String type, int length, boolean updateable) {
    fields.put(field, new Field(field, type, length, updateable, false, 0, 0));
  }

  private void custom(String field, String type, int length) {
    fields.put(field, new Field(field, type, length, true, true, 0, 0));
  }

  private void number(String field, String type, int precision, int scale) {
    fields.put(field, new Field(field, type, 0, true, true, precision, scale));
  }

  /**
   * A value as the org stores it. Salesforce keeps a number, percent or currency value at the
   * field's scale, rounding what has more decimals (half up; Salesforce Help, "Custom Field Types",
   * Number and Percent: decimal places beyond the scale are rounded), so a read shows 37.6 for a
   * written 37.55 in a Percent(3, 1). Other values are kept as sent.
   *
   * @throws OutOfRangeException when the value has more digits before the point than the field
   *     holds (Salesforce refuses it; the docs do not give the code's message, this org's is its
   *     own)
   */
  com.fasterxml.jackson.databind.JsonNode stored(
      String field, com.fasterxml.jackson.databind.JsonNode value) {
    Field f = fields.get(field);
    if (f == null || !f.decimal() || f.precision() == 0 || !value.isNumber()) {
      return value;
    }
    java.math.BigDecimal rounded =
        value.decimalValue().setScale(f.scale(), java.math.RoundingMode.HALF_UP);
    if (rounded.precision() - rounded.scale() > f.precision() - f.scale()) {
      throw new OutOfRangeException(field, f.precision() - f.scale());
    }
    return JsonNodeFactory.instance.numberNode(rounded);
  }

  /** A number with more integer digits than its field allows. */
  static final class OutOfRangeException extends RuntimeException {
    final String field;

    OutOfRangeException(String field, int digits) {
      super(field + ": value outside of valid range on numeric field (" + digits + " digits)");
      this.field = field;
    }
  }

  /**
   * The field is gone, as if deleted or hidden from the integration user by field-level security.
   */
  void remove(String field) {
    fields.remove(field);
  }

  /** The field's description, or null when the object has no such field. */
  Field field(String field) {
    return fields.get(field);
  }

  boolean has(String field) {
    return fields.containsKey(field);
  }

  String name() {
    return name;
  }

  /** Whether the field may be empty (describe's {@code nillable}). */
  boolean nillable(String field) {
    return !field.equals("Id") && !field.equals("LastName");
  }

  boolean updateable(String field) {
    return fields.get(field).updateable();
  }

  int length(String field) {
    return fields.get(field).length();
  }

  /** Whether the field holds record ids ({@code id} or {@code reference}). */
  boolean isId(String field) {
    Field f = fields.get(field);
    return f != null && (f.type().equals("id") || f.type().equals("reference"));
  }

  boolean isDateTime(String field) {
    Field f = fields.get(field);
    return f != null && f.type().equals("datetime");
  }

  /** An 18-character id with Salesforce's case-safety suffix, e.g. {@code 00Q5e00000AbCdEFGH}. */
  String newId(long sequence) {
    StringBuilder body = new StringBuilder();
    long n = sequence;
    for (int i = 0; i < 9; i++) {
      body.insert(0, BASE62.charAt((int) (n % 62)));
      n /= 62;
    }
    // Key prefix (3), pod (2), reserved (1), record number (9): 15, then the 3-letter suffix.
    String id15 = keyPrefix + "5e0" + body;
    StringBuilder suffix = new StringBuilder();
    for (int chunk = 0; chunk < 3; chunk++) {
      int bits = 0;
      for (int i = 0; i < 5; i++) {
        char c = id15.charAt(chunk * 5 + i);
        if (c >= 'A' && c <= 'Z') {
          bits |= 1 << i;
        }
      }
      suffix.append(CHECKSUM.charAt(bits));
    }
    return id15 + suffix;
  }

  /**
   * The object's describe; {@code deletable} is whether the integration user may delete its records
   * (an object permission, so the org decides it, not the schema).
   */
  ObjectNode describe(boolean deletable) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    ObjectNode d = nodes.objectNode();
    d.put("name", name);
    d.put("keyPrefix", keyPrefix);
    d.put("updateable", true);
    d.put("deletable", deletable);
    d.put("queryable", true);
    ArrayNode list = d.putArray("fields");
    for (Field f : fields.values()) {
      ObjectNode o = list.addObject();
      o.put("name", f.name());
      o.put("type", f.type());
      o.put("length", f.length());
      o.put("precision", f.precision());
      o.put("scale", f.scale());
      o.put("updateable", f.updateable());
      o.put("custom", f.custom());
      o.put("nillable", nillable(f.name()));
    }
    return d;
  }
}

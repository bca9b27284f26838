package io.aix.sandbox;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/** The built-in HubSpot contact properties the sandbox portal knows, with their types. */
final class HubSpotSchema {
  /** name -> {type, fieldType}; HubSpot's own definitions for these properties. */
  private static final Map<String, String[]> TYPES =
      Map.ofEntries(
          Map.entry("email", new String[] {"string", "text"}),
          Map.entry("firstname", new String[] {"string", "text"}),
          Map.entry("lastname", new String[] {"string", "text"}),
          Map.entry("company", new String[] {"string", "text"}),
          Map.entry("jobtitle", new String[] {"string", "text"}),
          Map.entry("website", new String[] {"string", "text"}),
          Map.entry("phone", new String[] {"string", "phonenumber"}),
          Map.entry("country", new String[] {"string", "text"}),
          Map.entry("state", new String[] {"string", "text"}),
          Map.entry("city", new String[] {"string", "text"}),
          Map.entry("industry", new String[] {"string", "text"}),
          Map.entry("numemployees", new String[] {"enumeration", "select"}),
          Map.entry("annualrevenue", new String[] {"string", "text"}),
          Map.entry("hs_analytics_source", new String[] {"enumeration", "select"}),
          Map.entry("hs_email_optout", new String[] {"bool", "booleancheckbox"}),
          Map.entry("createdate", new String[] {"datetime", "date"}),
          Map.entry("lastmodifieddate", new String[] {"datetime", "date"}),
          Map.entry("notes_last_updated", new String[] {"datetime", "date"}),
          Map.entry("hs_email_last_open_date", new String[] {"datetime", "date"}),
          Map.entry("hs_email_last_click_date", new String[] {"datetime", "date"}),
          Map.entry("recent_conversion_date", new String[] {"datetime", "date"}),
          Map.entry("engagements_last_meeting_booked", new String[] {"datetime", "date"}),
          Map.entry("hubspot_owner_id", new String[] {"enumeration", "select"}),
          Map.entry("hs_lead_status", new String[] {"enumeration", "radio"}),
          Map.entry("lifecyclestage", new String[] {"enumeration", "radio"}),
          Map.entry("hs_object_id", new String[] {"number", "number"}));

  static final List<String> CONTACT_PROPERTIES = List.copyOf(TYPES.keySet());

  private HubSpotSchema() {}

  static ObjectNode builtIn(String name) {
    String[] t = TYPES.get(name);
    ObjectNode def = JsonNodeFactory.instance.objectNode();
    def.put("name", name);
    def.put("label", name);
    def.put("type", t[0]);
    def.put("fieldType", t[1]);
    def.put("groupName", "contactinformation");
    def.put("hubspotDefined", true);
    // The sandbox does not list the options of HubSpot's own enumerations, so it accepts any
    // value for them; AIX's own enumeration (aix_grade) carries its options and is checked.
    def.putArray("options");
    return def;
  }
}

package io.aix.connector.hubspot;

import io.aix.connector.HotLeadTask;
import io.aix.connector.hubspot.HubSpotApi.PropertyDefinition;
import io.aix.connector.hubspot.HubSpotApi.PropertyOption;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code aix_*} contact properties AIX installs in the {@code aix} group, and task texts. */
final class HubSpotProperties {
  private static final Pattern KEY = Pattern.compile("\\[aix-task:([A-Za-z0-9:@._|-]{1,200})]");

  private HubSpotProperties() {}

  static List<PropertyDefinition> definitions() {
    return List.of(
        number("aix_score", "AIX Score", "Lead score, 0 to 100"),
        new PropertyDefinition(
            "aix_grade",
            "AIX Grade",
            "A (hottest) to D",
            HubSpotConnector.GROUP,
            "enumeration",
            "select",
            List.of(
                new PropertyOption("A", "A", 0),
                new PropertyOption("B", "B", 1),
                new PropertyOption("C", "C", 2),
                new PropertyOption("D", "D", 3))),
        number(
            "aix_conversion_probability",
            "AIX Conversion Probability",
            "Estimated chance of conversion, in percent"),
        number("aix_fit_score", "AIX Fit Score", "Who the lead is, 0 to 100"),
        number("aix_engagement_score", "AIX Engagement Score", "What the lead did, 0 to 100"),
        new PropertyDefinition(
            "aix_top_factors",
            "AIX Top Factors",
            "The strongest reasons behind the score",
            HubSpotConnector.GROUP,
            "string",
            "textarea",
            null),
        new PropertyDefinition(
            "aix_scored_at",
            "AIX Scored At",
            "When AIX last scored this contact",
            HubSpotConnector.GROUP,
            "datetime",
            "date",
            null),
        new PropertyDefinition(
            "aix_model_version",
            "AIX Model Version",
            "The scorer and profile version",
            HubSpotConnector.GROUP,
            "string",
            "text",
            null),
        new PropertyDefinition(
            "aix_signals",
            "AIX Signals",
            "What the contact did lately: engagement signals by type, and the latest",
            HubSpotConnector.GROUP,
            "string",
            "text",
            null),
        // Set by reps, never by AIX: their verdict on the score, which AIX learns from.
        new PropertyDefinition(
            "aix_feedback",
            "AIX Feedback",
            "Your verdict on the AIX score: AIX stores it with the score and learns from it",
            HubSpotConnector.GROUP,
            "enumeration",
            "select",
            List.of(
                new PropertyOption("Too high", "too_high", 0),
                new PropertyOption("Too low", "too_low", 1),
                new PropertyOption("Spot on", "spot_on", 2))));
  }

  private static PropertyDefinition number(String name, String label, String description) {
    return new PropertyDefinition(
        name, label, description, HubSpotConnector.GROUP, "number", "number", null);
  }

  /** The task's note: what the rep reads, then AIX's key in brackets. */
  static String taskBody(HotLeadTask task) {
    return task.body() + "\n\n[aix-task:" + task.idempotencyKey() + "]";
  }

  static String idempotencyKey(Map<String, String> properties) {
    if (properties == null || properties.get("hs_task_body") == null) {
      return null;
    }
    Matcher m = KEY.matcher(properties.get("hs_task_body"));
    return m.find() ? m.group(1) : null;
  }
}

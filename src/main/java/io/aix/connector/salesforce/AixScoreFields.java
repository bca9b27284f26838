package io.aix.connector.salesforce;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.ZonedDateTime;
import org.apache.camel.component.salesforce.api.dto.AbstractDescribedSObjectBase;
import org.apache.camel.component.salesforce.api.dto.SObjectDescription;

/**
 * The AIX custom fields of a Lead or Contact, as sent in an sObject Collections update. Field names
 * equal their JSON names because Camel's serialisation filter reads fields by JSON name; null
 * fields are left out of the request, so a profile can write a subset, and Salesforce leaves a
 * field that is not sent unchanged. A field AIX clears (its new value empty) is named in {@link
 * #getFieldsToNull()}: Camel's {@code FieldsToNullPropertyFilter} (camel-salesforce 4.18, the
 * {@code fieldsToNull} filter of its JSON object mapper) then writes it as an explicit JSON {@code
 * null}, which Salesforce stores as an empty field. The set itself is {@code @JsonIgnore}d: no
 * {@code fieldsToNull} key goes on the wire.
 */
@SuppressWarnings({"checkstyle:MemberName", "java:S116"})
public class AixScoreFields extends AbstractDescribedSObjectBase {
  private BigDecimal AIX_Score__c;
  private String AIX_Grade__c;
  private BigDecimal AIX_Conversion_Probability__c;
  private BigDecimal AIX_Fit_Score__c;
  private BigDecimal AIX_Engagement_Score__c;
  private String AIX_Top_Factors__c;
  private ZonedDateTime AIX_Scored_At__c;
  private String AIX_Model_Version__c;
  private String AIX_Signals__c;

  public AixScoreFields(String object, String id) {
    getAttributes().setType(object);
    setId(id);
  }

  @Override
  public SObjectDescription description() {
    SObjectDescription description = new SObjectDescription();
    description.setName(getAttributes().getType());
    return description;
  }

  /**
   * Sends each of these fields that has no value (null, or empty text) as an explicit null, so
   * Salesforce clears a value written earlier instead of keeping it.
   */
  void clearWhenEmpty(java.util.Collection<String> written) {
    java.util.Map<String, Object> values = new java.util.HashMap<>();
    values.put("AIX_Score__c", AIX_Score__c);
    values.put("AIX_Grade__c", AIX_Grade__c);
    values.put("AIX_Conversion_Probability__c", AIX_Conversion_Probability__c);
    values.put("AIX_Fit_Score__c", AIX_Fit_Score__c);
    values.put("AIX_Engagement_Score__c", AIX_Engagement_Score__c);
    values.put("AIX_Top_Factors__c", AIX_Top_Factors__c);
    values.put("AIX_Scored_At__c", AIX_Scored_At__c);
    values.put("AIX_Model_Version__c", AIX_Model_Version__c);
    values.put("AIX_Signals__c", AIX_Signals__c);
    for (String name : written) {
      if (!values.containsKey(name)) {
        continue;
      }
      Object v = values.get(name);
      if (v == null || (v instanceof String text && text.isEmpty())) {
        if (name.equals("AIX_Grade__c")) {
          AIX_Grade__c = null;
        } else if (name.equals("AIX_Top_Factors__c")) {
          AIX_Top_Factors__c = null;
        } else if (name.equals("AIX_Model_Version__c")) {
          AIX_Model_Version__c = null;
        } else if (name.equals("AIX_Signals__c")) {
          AIX_Signals__c = null;
        }
        getFieldsToNull().add(name);
      }
    }
  }

  /**
   * The fields as a Bulk API 2.0 CSV row names them: what {@code mapper} (Camel's, with its
   * fieldsToNull filter) writes for this object, values as they appear in its JSON (a number as its
   * decimal, anything else as its text), a cleared field as null. Built from the fields themselves:
   * Camel's filter looks every property up by reflection and throws and catches a {@code
   * NoSuchFieldException} per inherited one, a cost per row that was 7 % of AIX's Java samples and
   * 36 % of the bytes it allocated in a 200,000-lead run. {@code AixScoreFieldsTest} holds the two
   * to the same rows.
   */
  java.util.Map<String, Object> bulkRow(com.fasterxml.jackson.databind.ObjectMapper mapper) {
    java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
    column(row, "AIX_Score__c", AIX_Score__c);
    column(row, "AIX_Grade__c", AIX_Grade__c);
    column(row, "AIX_Conversion_Probability__c", AIX_Conversion_Probability__c);
    column(row, "AIX_Fit_Score__c", AIX_Fit_Score__c);
    column(row, "AIX_Engagement_Score__c", AIX_Engagement_Score__c);
    column(row, "AIX_Top_Factors__c", AIX_Top_Factors__c);
    if (AIX_Scored_At__c != null) {
      // Camel's date-time format, from its own serializer.
      com.fasterxml.jackson.databind.JsonNode at = mapper.valueToTree(AIX_Scored_At__c);
      column(row, "AIX_Scored_At__c", at.isNumber() ? at.decimalValue() : at.asText());
    } else {
      column(row, "AIX_Scored_At__c", null);
    }
    column(row, "AIX_Model_Version__c", AIX_Model_Version__c);
    column(row, "AIX_Signals__c", AIX_Signals__c);
    return row;
  }

  private void column(java.util.Map<String, Object> row, String name, Object value) {
    if (value instanceof BigDecimal d) {
      // As Jackson's tree holds a decimal: 30.0 is 3E+1 (a CSV cell of 30).
      row.put(name, d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros());
    } else if (value != null) {
      row.put(name, value);
    } else if (getFieldsToNull().contains(name)) {
      row.put(name, null);
    }
  }

  @JsonProperty("AIX_Score__c")
  public BigDecimal getScore() {
    return AIX_Score__c;
  }

  public void setScore(BigDecimal v) {
    AIX_Score__c = v;
  }

  @JsonProperty("AIX_Grade__c")
  public String getGrade() {
    return AIX_Grade__c;
  }

  public void setGrade(String v) {
    AIX_Grade__c = v;
  }

  @JsonProperty("AIX_Conversion_Probability__c")
  public BigDecimal getProbability() {
    return AIX_Conversion_Probability__c;
  }

  public void setProbability(BigDecimal v) {
    AIX_Conversion_Probability__c = v;
  }

  @JsonProperty("AIX_Fit_Score__c")
  public BigDecimal getFit() {
    return AIX_Fit_Score__c;
  }

  public void setFit(BigDecimal v) {
    AIX_Fit_Score__c = v;
  }

  @JsonProperty("AIX_Engagement_Score__c")
  public BigDecimal getEngagement() {
    return AIX_Engagement_Score__c;
  }

  public void setEngagement(BigDecimal v) {
    AIX_Engagement_Score__c = v;
  }

  @JsonProperty("AIX_Top_Factors__c")
  public String getTopFactors() {
    return AIX_Top_Factors__c;
  }

  public void setTopFactors(String v) {
    AIX_Top_Factors__c = v;
  }

  @JsonProperty("AIX_Scored_At__c")
  public ZonedDateTime getScoredAt() {
    return AIX_Scored_At__c;
  }

  public void setScoredAt(ZonedDateTime v) {
    AIX_Scored_At__c = v;
  }

  @JsonProperty("AIX_Model_Version__c")
  public String getModelVersion() {
    return AIX_Model_Version__c;
  }

  public void setModelVersion(String v) {
    AIX_Model_Version__c = v;
  }

  @JsonProperty("AIX_Signals__c")
  public String getSignals() {
    return AIX_Signals__c;
  }

  public void setSignals(String v) {
    AIX_Signals__c = v;
  }
}

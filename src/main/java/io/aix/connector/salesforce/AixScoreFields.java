package io.aix.connector.salesforce;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.ZonedDateTime;
import org.apache.camel.component.salesforce.api.dto.AbstractDescribedSObjectBase;
import org.apache.camel.component.salesforce.api.dto.SObjectDescription;

/**
 * The AIX custom fields of a Lead or Contact, as sent in an sObject Collections update. Field names
 * equal their JSON names because Camel's serialisation filter reads fields by JSON name; null
 * fields are left out of the request, so a profile can write a subset.
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

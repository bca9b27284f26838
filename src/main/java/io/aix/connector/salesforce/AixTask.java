package io.aix.connector.salesforce;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.camel.component.salesforce.api.dto.AbstractDescribedSObjectBase;
import org.apache.camel.component.salesforce.api.dto.SObjectDescription;

/**
 * A Salesforce Task as AIX creates it for a hot lead, in an sObject Collections create: linked to
 * the Lead or Contact ({@code WhoId}), assigned to its owner ({@code OwnerId}), due on {@code
 * ActivityDate}. Field names equal their JSON names, as in {@link AixScoreFields}.
 */
@SuppressWarnings({"checkstyle:MemberName", "java:S116"})
public class AixTask extends AbstractDescribedSObjectBase {
  private String Subject;
  private String Description;
  private String WhoId;
  private String OwnerId;
  private String ActivityDate;
  private String Status;
  private String Priority;

  public AixTask() {
    getAttributes().setType("Task");
  }

  @Override
  public SObjectDescription description() {
    SObjectDescription description = new SObjectDescription();
    description.setName("Task");
    return description;
  }

  @JsonProperty("Subject")
  public String getSubject() {
    return Subject;
  }

  public void setSubject(String v) {
    Subject = v;
  }

  @JsonProperty("Description")
  public String getDescription() {
    return Description;
  }

  public void setDescription(String v) {
    Description = v;
  }

  @JsonProperty("WhoId")
  public String getWhoId() {
    return WhoId;
  }

  public void setWhoId(String v) {
    WhoId = v;
  }

  @JsonProperty("OwnerId")
  public String getOwnerId() {
    return OwnerId;
  }

  public void setOwnerId(String v) {
    OwnerId = v;
  }

  /** The due date, {@code yyyy-MM-dd} (a Date field, no time). */
  @JsonProperty("ActivityDate")
  public String getActivityDate() {
    return ActivityDate;
  }

  public void setActivityDate(String v) {
    ActivityDate = v;
  }

  @JsonProperty("Status")
  public String getStatus() {
    return Status;
  }

  public void setStatus(String v) {
    Status = v;
  }

  @JsonProperty("Priority")
  public String getPriority() {
    return Priority;
  }

  public void setPriority(String v) {
    Priority = v;
  }
}

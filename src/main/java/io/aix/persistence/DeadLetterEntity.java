package io.aix.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** A record AIX could not process: the stage, the CRM's or AIX's code, the reason, the payload. */
@Entity
@Table(name = "dead_letter")
public class DeadLetterEntity extends PanacheEntityBase {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(name = "profile_id")
  public String profileId;

  @Column(name = "crm_object")
  public String crmObject;

  @Column(name = "crm_id")
  public String crmId;

  public String stage;

  @Column(name = "error_code")
  public String errorCode;

  public String reason;

  public String payload;

  @Column(name = "crm_modified_at")
  public OffsetDateTime crmModifiedAt;

  @Column(name = "created_at")
  public OffsetDateTime createdAt;

  @Column(name = "replayed_at")
  public OffsetDateTime replayedAt;
}

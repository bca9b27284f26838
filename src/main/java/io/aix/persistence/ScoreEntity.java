package io.aix.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** One version of one record's score. */
@Entity
@Table(name = "score")
public class ScoreEntity extends PanacheEntityBase {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(name = "profile_id")
  public String profileId;

  @Column(name = "crm_object")
  public String crmObject;

  @Column(name = "crm_id")
  public String crmId;

  public int version;
  public int score;
  public String grade;
  public double probability;
  public int fit;
  public int engagement;

  @Column(name = "top_factors")
  public String topFactors;

  @Column(name = "model_version")
  public String modelVersion;

  public String fingerprint;

  @Column(name = "scored_at")
  public OffsetDateTime scoredAt;

  @Column(name = "written_at")
  public OffsetDateTime writtenAt;
}

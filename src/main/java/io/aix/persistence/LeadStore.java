package io.aix.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aix.connector.Offset;
import io.aix.lead.CanonicalField;
import io.aix.lead.CanonicalLead;
import io.aix.lead.LeadKey;
import io.aix.lead.StoredLead;
import io.aix.pipeline.LeadWork;
import io.aix.scoring.ScoreResult;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * AIX's state in PostgreSQL, reactive throughout ({@code Panache.withTransaction}). Blocking
 * callers reach it only through {@link ReactiveBridge}.
 */
@ApplicationScoped
public class LeadStore {
  @Inject Pool pool;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] LEAD_COLUMNS = {
    "varchar",
    "varchar",
    "varchar",
    "text",
    "varchar",
    "timestamptz",
    "integer",
    "integer",
    "timestamptz"
  };
  private static final String[] SCORE_COLUMNS = {
    "varchar",
    "varchar",
    "varchar",
    "integer",
    "integer",
    "varchar",
    "float8",
    "integer",
    "integer",
    "varchar",
    "varchar",
    "varchar",
    "timestamptz",
    "varchar"
  };
  private static final String[] WRITTEN_LEAD_COLUMNS = {"varchar", "varchar", "varchar", "integer"};
  private static final String[] WRITTEN_SCORE_COLUMNS = {
    "varchar", "varchar", "varchar", "integer", "timestamptz"
  };

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static Uni<Mutiny.Session> session() {
    return Panache.getSession();
  }

  private static final String STATES =
      "select l.crm_id, l.input_hash, l.score_version, l.written_version, s.fingerprint,"
          + " l.deleted_at is not null, l.writing_version, l.crm_modified_at from lead l"
          + " left join score s"
          + " on s.profile_id = l.profile_id and s.crm_object = l.crm_object"
          + " and s.crm_id = l.crm_id and s.version = l.score_version"
          + " where l.profile_id = $1 and l.crm_object = $2 and l.crm_id = any($3)";

  /** The stored state of these records, keyed by CRM id. */
  public Uni<Map<String, LeadState>> states(String profileId, String object, List<String> crmIds) {
    if (crmIds.isEmpty()) {
      return Uni.createFrom().item(Map.of());
    }
    return pool.preparedQuery(STATES)
        .execute(Tuple.of(profileId, object, crmIds.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, LeadState> out = new HashMap<>();
              for (Row r : rows) {
                out.put(
                    r.getString(0),
                    new LeadState(
                        r.getString(1),
                        r.getInteger(2),
                        r.getInteger(3),
                        r.getString(4),
                        r.getBoolean(5),
                        r.getInteger(6),
                        r.getOffsetDateTime(7) == null
                            ? null
                            : r.getOffsetDateTime(7).toInstant()));
              }
              return out;
            });
  }

  private static final String STORED_LEADS =
      "select crm_id, mapped_values, input_hash, crm_modified_at from lead where profile_id = $1"
          + " and crm_object = $2 and crm_id = any($3) and deleted_at is null";

  /**
   * The leads AIX stored for these records (not tombstoned), as mapped when stored, with their
   * stored input hash: what a re-score from stored state scores. Keyed by CRM id.
   */
  public Uni<Map<String, CanonicalLead>> storedLeads(
      String profileId, String object, List<String> crmIds) {
    if (crmIds.isEmpty()) {
      return Uni.createFrom().item(Map.of());
    }
    return pool.preparedQuery(STORED_LEADS)
        .execute(Tuple.of(profileId, object, crmIds.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, CanonicalLead> out = new HashMap<>();
              for (Row r : rows) {
                LeadKey key = new LeadKey(profileId, object, r.getString(0));
                out.put(
                    key.crmId(),
                    StoredLead.of(
                        key, r.getOffsetDateTime(3).toInstant(), r.getString(1), r.getString(2)));
              }
              return out;
            });
  }

  public Uni<Offset> offset(String profileId, String stream) {
    String sql = "select position from source_offset where profile_id = :p and stream = :s";
    return Panache.withSession(
        () ->
            session()
                .chain(
                    s ->
                        s.<String>createNativeQuery(sql)
                            .setParameter("p", profileId)
                            .setParameter("s", stream)
                            .getResultList())
                .map(
                    rows ->
                        rows.isEmpty()
                            ? (Offset) Offset.Watermark.START
                            : Offset.decode(rows.get(0))));
  }

  /** Forgets where a stream stands: it starts afresh (a change event stream, at the newest). */
  public Uni<Void> forgetOffset(String profileId, String stream) {
    return Panache.withTransaction(
        () ->
            session()
                .chain(
                    s ->
                        s.createNativeQuery(
                                "delete from source_offset where profile_id = :p and stream = :s")
                            .setParameter("p", profileId)
                            .setParameter("s", stream)
                            .executeUpdate())
                .replaceWithVoid());
  }

  /**
   * Moves a polled stream's watermark back to {@code since} (never forward), so its next poll
   * re-reads every change from then: how a gap in a change event stream is covered. A stream never
   * polled starts at the beginning anyway.
   */
  public Uni<Void> rewindWatermark(String profileId, String stream, Instant since) {
    String sql =
        "select position from source_offset where profile_id = :p and stream = :s for update";
    return Panache.withTransaction(
        () ->
            session()
                .chain(
                    s ->
                        s.<String>createNativeQuery(sql)
                            .setParameter("p", profileId)
                            .setParameter("s", stream)
                            .getResultList()
                            .chain(
                                rows -> {
                                  if (rows.isEmpty()
                                      || !(Offset.decode(rows.get(0)) instanceof Offset.Watermark w)
                                      || !w.modifiedAt().isAfter(since)) {
                                    return Uni.createFrom().voidItem();
                                  }
                                  return s.createNativeQuery(
                                          "update source_offset set position = :pos where"
                                              + " profile_id = :p and stream = :s")
                                      .setParameter("pos", new Offset.Watermark(since, "").encode())
                                      .setParameter("p", profileId)
                                      .setParameter("s", stream)
                                      .executeUpdate()
                                      .replaceWithVoid();
                                })));
  }

  /**
   * Stores the mapped leads and, where a score differs from the latest one, a new score version, in
   * one transaction. Sets each work's score version and marks scores that equal what the CRM
   * already shows as {@link LeadWork.Status#SAME_SCORE}; returns the works whose CRM fields need a
   * write. {@code scoredBy} names the AIX process, so an operator can see where work went.
   */
  public Uni<List<LeadWork>> saveScored(List<LeadWork> scored, Instant now, String scoredBy) {
    List<LeadWork> newScores = new java.util.ArrayList<>();
    for (LeadWork w : scored) {
      LeadState before = w.stored();
      boolean sameScore = before != null && w.score().fingerprint().equals(before.fingerprint());
      int version =
          before == null ? 1 : sameScore ? before.scoreVersion() : before.scoreVersion() + 1;
      w.scoreVersion(version);
      if (sameScore && before.writtenVersion() >= version) {
        w.status(LeadWork.Status.SAME_SCORE);
      }
      if (!sameScore) {
        newScores.add(w);
      }
    }
    String upsertLeads =
        "insert into lead (profile_id, crm_object, crm_id, mapped_values, input_hash, crm_modified_at,"
            + " score_version, written_version, updated_at) values %s"
            + " on conflict (profile_id, crm_object, crm_id) do update set"
            + " mapped_values = excluded.mapped_values, input_hash = excluded.input_hash,"
            + " crm_modified_at = excluded.crm_modified_at, score_version = excluded.score_version,"
            + " updated_at = excluded.updated_at";
    String insertScores =
        "insert into score (profile_id, crm_object, crm_id, version, score, grade, probability, fit,"
            + " engagement, top_factors, model_version, fingerprint, scored_at, scored_by) values %s";
    List<LeadWork> withFeedback =
        scored.stream().filter(w -> w.lead().string(CanonicalField.FEEDBACK).isPresent()).toList();
    return Panache.withTransaction(
        () ->
            session()
                .chain(
                    s ->
                        recordFeedback(s, withFeedback, now)
                            .chain(
                                () ->
                                    BatchSql.execute(
                                            s,
                                            upsertLeads,
                                            LEAD_COLUMNS,
                                            scored,
                                            w ->
                                                new Object[] {
                                                  w.lead().key().profileId(),
                                                  w.lead().key().crmObject(),
                                                  w.lead().key().crmId(),
                                                  mappedJson(w),
                                                  w.lead().inputHash(),
                                                  at(w.record().modifiedAt()),
                                                  w.scoreVersion(),
                                                  0,
                                                  at(now)
                                                })
                                        .chain(
                                            () ->
                                                BatchSql.execute(
                                                    s,
                                                    insertScores,
                                                    SCORE_COLUMNS,
                                                    newScores,
                                                    w -> {
                                                      ScoreResult r = w.score();
                                                      return new Object[] {
                                                        w.lead().key().profileId(),
                                                        w.lead().key().crmObject(),
                                                        w.lead().key().crmId(),
                                                        w.scoreVersion(),
                                                        r.score(),
                                                        r.grade(),
                                                        r.probability(),
                                                        r.fit(),
                                                        r.engagement(),
                                                        r.topFactors(),
                                                        r.modelVersion(),
                                                        r.fingerprint(),
                                                        at(r.scoredAt()),
                                                        scoredBy
                                                      };
                                                    }))))
                .map(
                    v ->
                        scored.stream()
                            .filter(w -> w.status() == LeadWork.Status.SCORED)
                            .toList()));
  }

  private static final java.util.Set<String> FEEDBACK_VALUES =
      java.util.Set.of("too_high", "too_low", "spot_on");

  /**
   * A rep's new verdict, stored with the score the rep judged (the one last written to the CRM),
   * before the lead row takes the new value: only a change is a new verdict. A value outside the
   * picklist is ignored (and stays visible in the lead's mapped fields).
   */
  private static Uni<Void> recordFeedback(
      Mutiny.Session s, List<LeadWork> withFeedback, Instant now) {
    List<LeadWork> verdicts =
        withFeedback.stream()
            .filter(
                w ->
                    FEEDBACK_VALUES.contains(
                        w.lead().string(CanonicalField.FEEDBACK).orElseThrow()))
            .toList();
    // One statement for the batch's verdicts (a record appears once in a leased batch).
    return BatchSql.execute(
        s,
        "insert into lead_feedback (profile_id, crm_object, crm_id, feedback, score, probability,"
            + " score_version, model_version, given_at, recorded_at)"
            + " select l.profile_id, l.crm_object, l.crm_id, v.feedback, s.score, s.probability,"
            + " s.version, s.model_version, v.given_at, v.recorded_at"
            + " from (values %s) as v(profile_id, crm_object, crm_id, feedback, given_at,"
            + " recorded_at)"
            + " join lead l on l.profile_id = v.profile_id and l.crm_object = v.crm_object"
            + " and l.crm_id = v.crm_id"
            + " join score s on s.profile_id = l.profile_id and s.crm_object = l.crm_object"
            + " and s.crm_id = l.crm_id and s.version = l.written_version"
            + " where (l.mapped_values::jsonb ->> 'feedback') is distinct from v.feedback",
        FEEDBACK_COLUMNS,
        verdicts,
        w ->
            new Object[] {
              w.lead().key().profileId(),
              w.lead().key().crmObject(),
              w.lead().key().crmId(),
              w.lead().string(CanonicalField.FEEDBACK).orElseThrow(),
              at(w.record().modifiedAt()),
              at(now)
            });
  }

  private static final String[] FEEDBACK_COLUMNS = {
    "varchar", "varchar", "varchar", "varchar", "timestamptz", "timestamptz"
  };

  private static String mappedJson(LeadWork w) {
    Map<String, Object> values = new LinkedHashMap<>();
    w.lead()
        .values()
        .forEach(
            (CanonicalField f, Object v) ->
                values.put(
                    f.key(), v instanceof Number || v instanceof Boolean ? v : v.toString()));
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The lead rows of these works joined to their score versions, for an update {@code set}. */
  private static final String PER_VERSION =
      "update lead l set %s from (values %%s) as v(profile_id, crm_object, crm_id, version)"
          + " where l.profile_id = v.profile_id and l.crm_object = v.crm_object"
          + " and l.crm_id = v.crm_id%s";

  /** Runs a {@link #PER_VERSION} update over the works' (profile, object, id, score version). */
  private static Uni<Void> perVersion(
      Mutiny.Session s, String set, String and, List<LeadWork> works) {
    return BatchSql.execute(
        s,
        PER_VERSION.formatted(set, and),
        WRITTEN_LEAD_COLUMNS,
        works,
        w ->
            new Object[] {
              w.lead().key().profileId(),
              w.lead().key().crmObject(),
              w.lead().key().crmId(),
              w.scoreVersion()
            });
  }

  /**
   * Notes that these score versions are about to be written: if AIX dies before the CRM's answer is
   * recorded, the next attempt asks the CRM what it shows instead of writing blindly.
   */
  public Uni<Void> markWriting(List<LeadWork> writing) {
    return Panache.withTransaction(
        () ->
            session()
                .chain(
                    s ->
                        perVersion(
                            s,
                            "writing_version = greatest(l.writing_version, v.version)",
                            "",
                            writing)));
  }

  /** These writes were refused before they reached the CRM: no write is in doubt. */
  public Uni<Void> unmarkWriting(List<LeadWork> notSent) {
    return Panache.withTransaction(
        () ->
            session()
                .chain(
                    s ->
                        perVersion(
                            s,
                            "writing_version = l.written_version",
                            " and l.writing_version = v.version",
                            notSent)));
  }

  /** Records that the CRM confirmed these score versions. */
  public Uni<Void> markWritten(List<LeadWork> written, Instant now) {
    String scores =
        "update score s set written_at = v.written_at"
            + " from (values %s) as v(profile_id, crm_object, crm_id, version, written_at)"
            + " where s.profile_id = v.profile_id and s.crm_object = v.crm_object"
            + " and s.crm_id = v.crm_id and s.version = v.version";
    return Panache.withTransaction(
        () ->
            session()
                .chain(
                    s ->
                        perVersion(
                                s,
                                "written_version = greatest(l.written_version, v.version)",
                                "",
                                written)
                            .chain(
                                () ->
                                    BatchSql.execute(
                                        s,
                                        scores,
                                        WRITTEN_SCORE_COLUMNS,
                                        written,
                                        w ->
                                            new Object[] {
                                              w.lead().key().profileId(),
                                              w.lead().key().crmObject(),
                                              w.lead().key().crmId(),
                                              w.scoreVersion(),
                                              at(now)
                                            }))));
  }

  /** A tombstone for a deleted record, or a dead letter for a rejected one. */
  static Uni<?> finishOne(Mutiny.Session s, LeadWork w, Instant now) {
    String profileId = w.record().key().profileId();
    if (w.status() == LeadWork.Status.DELETED) {
      return s.createNativeQuery(
              "update lead set deleted_at = :now, updated_at = :now where profile_id = :p"
                  + " and crm_object = :o and crm_id = :id and deleted_at is null")
          .setParameter("now", at(now))
          .setParameter("p", profileId)
          .setParameter("o", w.record().key().crmObject())
          .setParameter("id", w.record().key().crmId())
          .executeUpdate();
    }
    DeadLetterEntity d = new DeadLetterEntity();
    d.profileId = profileId;
    d.crmObject = w.record().key().crmObject();
    d.crmId = w.record().key().crmId();
    d.stage = w.failedStage();
    d.errorCode = w.errorCode();
    // PostgreSQL text cannot hold NUL, and a reason may quote a value that has one.
    d.reason = String.valueOf(w.reason()).replace("\u0000", "\\u0000");
    d.payload = WorkQueue.payload(w.record());
    d.crmModifiedAt = at(w.record().modifiedAt());
    d.createdAt = at(now);
    return s.persist(d).chain(s::flush);
  }

  /** Dead letters of a profile, newest first. */
  public Uni<List<DeadLetterEntity>> deadLetters(String profileId) {
    return Panache.withSession(
        () ->
            DeadLetterEntity.<DeadLetterEntity>find("profileId = ?1 order by id desc", profileId)
                .list());
  }

  /** How many distinct records of a profile hold a score, and how many were confirmed written. */
  public Uni<long[]> counts(String profileId) {
    String sql =
        "select count(*) filter (where score_version > 0), count(*) filter (where written_version > 0"
            + " and written_version >= score_version) from lead where profile_id = :p";
    return Panache.withSession(
        () ->
            session()
                .chain(
                    s ->
                        s.<Object[]>createNativeQuery(sql)
                            .setParameter("p", profileId)
                            .getSingleResult())
                .map(r -> new long[] {((Number) r[0]).longValue(), ((Number) r[1]).longValue()}));
  }

  public Uni<Long> deadLetterCount() {
    return Panache.withSession(() -> DeadLetterEntity.count());
  }
}

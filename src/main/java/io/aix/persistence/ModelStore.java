package io.aix.persistence;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model registry, the training history it reads, and the re-scoring switch a promotion pulls.
 */
@ApplicationScoped
public class ModelStore {
  /** One registered model version. */
  public record Stored(
      long id,
      String profileId,
      String crmObject,
      int version,
      String algorithm,
      String status,
      String reason,
      List<String> featureGroups,
      double calibrationA,
      double calibrationB,
      String metrics,
      String validation,
      String provenance,
      byte[] model,
      Instant trainedAt) {}

  /** A lead as AIX stored it: its mapped canonical values (JSON) and when the CRM changed it. */
  public record HistoryRow(String crmId, String mappedValues, Instant modifiedAt) {}

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  /** Every live (not deleted) lead of one profile and object, as training history. */
  public Uni<List<HistoryRow>> history(String profileId, String object) {
    return NativeSql.<Object[]>list(
            "select crm_id, mapped_values, crm_modified_at from lead where profile_id = :p"
                + " and crm_object = :o and deleted_at is null order by crm_modified_at, crm_id",
            Map.of("p", profileId, "o", object))
        .map(
            rows -> {
              List<HistoryRow> out = new ArrayList<>(rows.size());
              for (Object[] r : rows) {
                out.add(new HistoryRow((String) r[0], (String) r[1], NativeSql.instant(r[2])));
              }
              return out;
            });
  }

  /** Registers a version with the next number; returns it with its id and number. */
  public Uni<Stored> register(Stored v) {
    String sql =
        "insert into model_version (profile_id, crm_object, version, algorithm, status, reason,"
            + " feature_groups, calibration_a, calibration_b, metrics, validation, provenance,"
            + " model, trained_at) values (:p, :o, (select coalesce(max(version), 0) + 1 from"
            + " model_version where profile_id = :p and crm_object = :o), :alg, :st, :why, :fg,"
            + " :ca, :cb, :m, :val, :prov, :model, :t) returning id, version";
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s ->
                        s.<Object[]>createNativeQuery(sql)
                            .setParameter("p", v.profileId())
                            .setParameter("o", v.crmObject())
                            .setParameter("alg", v.algorithm())
                            .setParameter("st", v.status())
                            .setParameter("why", v.reason())
                            .setParameter("fg", String.join(",", v.featureGroups()))
                            .setParameter("ca", v.calibrationA())
                            .setParameter("cb", v.calibrationB())
                            .setParameter("m", v.metrics())
                            .setParameter("val", v.validation())
                            .setParameter("prov", v.provenance())
                            .setParameter("model", v.model())
                            .setParameter("t", at(v.trainedAt()))
                            .getSingleResult())
                .map(
                    r ->
                        new Stored(
                            ((Number) r[0]).longValue(),
                            v.profileId(),
                            v.crmObject(),
                            ((Number) r[1]).intValue(),
                            v.algorithm(),
                            v.status(),
                            v.reason(),
                            v.featureGroups(),
                            v.calibrationA(),
                            v.calibrationB(),
                            v.metrics(),
                            v.validation(),
                            v.provenance(),
                            v.model(),
                            v.trainedAt())));
  }

  private static final String COLUMNS =
      "id, profile_id, crm_object, version, algorithm, status, reason, feature_groups,"
          + " calibration_a, calibration_b, metrics, validation, provenance, model, trained_at";

  private static Stored stored(Object[] r) {
    String groups = (String) r[7];
    return new Stored(
        ((Number) r[0]).longValue(),
        (String) r[1],
        (String) r[2],
        ((Number) r[3]).intValue(),
        (String) r[4],
        (String) r[5],
        (String) r[6],
        groups.isEmpty() ? List.of() : List.of(groups.split(",")),
        ((Number) r[8]).doubleValue(),
        ((Number) r[9]).doubleValue(),
        (String) r[10],
        (String) r[11],
        (String) r[12],
        (byte[]) r[13],
        NativeSql.instant(r[14]));
  }

  public Uni<Optional<Stored>> champion(String profileId, String object) {
    return NativeSql.<Object[]>list(
            "select "
                + COLUMNS
                + " from model_version where profile_id = :p and crm_object = :o"
                + " and status = 'champion'",
            Map.of("p", profileId, "o", object))
        .map(rows -> rows.stream().findFirst().map(ModelStore::stored));
  }

  public Uni<List<Stored>> versions(String profileId, String object) {
    return NativeSql.<Object[]>list(
            "select "
                + COLUMNS
                + " from model_version where profile_id = :p and crm_object = :o order by version",
            Map.of("p", profileId, "o", object))
        .map(rows -> rows.stream().map(ModelStore::stored).toList());
  }

  /**
   * Makes {@code id} the champion (the old one retires) and asks for every stored lead of the
   * object to be scored again by it, from the state AIX stored ({@code rescore_request}, queued by
   * the intake leader in chunks): the fields a model is trained on are the stored ones, and reading
   * a million records from the CRM again would cost a bulk read and its calls for nothing that
   * changed. Changes since come in through intake as always.
   */
  public Uni<Void> promote(long id, String profileId, String object, Instant now) {
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s ->
                        s.createNativeQuery(
                                "update model_version set status = 'retired' where profile_id = :p"
                                    + " and crm_object = :o and status = 'champion'")
                            .setParameter("p", profileId)
                            .setParameter("o", object)
                            .executeUpdate()
                            .chain(
                                () ->
                                    s.createNativeQuery(
                                            "update model_version set status = 'champion',"
                                                + " promoted_at = :t where id = :id")
                                        .setParameter("t", at(now))
                                        .setParameter("id", id)
                                        .executeUpdate())
                            .chain(
                                () ->
                                    s.createNativeQuery(RESCORE_ALL)
                                        .setParameter("p", profileId)
                                        .setParameter("o", object)
                                        .setParameter("t", at(now))
                                        .executeUpdate()))
                .replaceWithVoid());
  }

  /**
   * Asks for every stored lead of an object to be scored again (from the start, replacing a request
   * under way); {@code :p}, {@code :o}, {@code :t}.
   */
  public static final String RESCORE_ALL =
      "insert into rescore_request (profile_id, crm_object, requested_at, total, after_crm_id)"
          + " select :p, :o, :t, count(*), '' from lead where profile_id = :p and crm_object = :o"
          + " and deleted_at is null on conflict (profile_id, crm_object) do update set"
          + " requested_at = excluded.requested_at, total = excluded.total, after_crm_id = ''";

  /** The last training attempt of a profile and object: when, how it ended, why. */
  public record Attempt(Instant at, String outcome, String reason) {}

  /** Reps' verdicts on the scores one scorer version gave. */
  public record FeedbackCount(String modelVersion, long tooHigh, long tooLow, long spotOn) {}

  public Uni<List<FeedbackCount>> feedback(String profileId, String object) {
    return NativeSql.<Object[]>list(
            "select model_version, count(*) filter (where feedback = 'too_high'),"
                + " count(*) filter (where feedback = 'too_low'),"
                + " count(*) filter (where feedback = 'spot_on') from lead_feedback"
                + " where profile_id = :p and crm_object = :o group by model_version"
                + " order by model_version",
            Map.of("p", profileId, "o", object))
        .map(
            rows ->
                rows.stream()
                    .map(
                        r ->
                            new FeedbackCount(
                                (String) r[0],
                                ((Number) r[1]).longValue(),
                                ((Number) r[2]).longValue(),
                                ((Number) r[3]).longValue()))
                    .toList());
  }

  /** A verdict on a lead, with the probability the rep judged. */
  public record Verdict(String crmId, String feedback, double probability) {}

  /** Each lead's latest verdict, for training's feedback policy. */
  public Uni<List<Verdict>> verdicts(String profileId, String object) {
    return NativeSql.<Object[]>list(
            "select distinct on (crm_id) crm_id, feedback, probability from lead_feedback"
                + " where profile_id = :p and crm_object = :o order by crm_id, id desc",
            Map.of("p", profileId, "o", object))
        .map(
            rows ->
                rows.stream()
                    .map(
                        r ->
                            new Verdict(
                                (String) r[0], (String) r[1], ((Number) r[2]).doubleValue()))
                    .toList());
  }

  /** Remembers a training attempt (refused, promoted or rejected), replacing the one before. */
  public Uni<Void> recordAttempt(
      String profileId, String object, Instant at, String outcome, String reason) {
    return NativeSql.update(
            "insert into model_training_attempt (profile_id, crm_object, attempted_at, outcome,"
                + " reason) values (:p, :o, :t, :out, :r) on conflict (profile_id, crm_object) do"
                + " update set attempted_at = excluded.attempted_at, outcome = excluded.outcome,"
                + " reason = excluded.reason",
            Map.of("p", profileId, "o", object, "t", at(at), "out", outcome, "r", reason))
        .replaceWithVoid();
  }

  public Uni<Optional<Attempt>> lastAttempt(String profileId, String object) {
    return NativeSql.<Object[]>list(
            "select attempted_at, outcome, reason from model_training_attempt"
                + " where profile_id = :p and crm_object = :o",
            Map.of("p", profileId, "o", object))
        .map(
            rows ->
                rows.stream()
                    .findFirst()
                    .map(r -> new Attempt(NativeSql.instant(r[0]), (String) r[1], (String) r[2])));
  }

  /**
   * The version to roll back to: the one most recently retired after having been champion; empty
   * when there is none.
   */
  public Uni<Optional<Stored>> previousChampion(String profileId, String object) {
    return NativeSql.<Object[]>list(
            "select "
                + COLUMNS
                + " from model_version where profile_id = :p and crm_object = :o"
                + " and status = 'retired' and promoted_at is not null"
                + " order by promoted_at desc limit 1",
            Map.of("p", profileId, "o", object))
        .map(rows -> rows.stream().findFirst().map(ModelStore::stored));
  }

  /** Probabilities a model version gave since a moment, for the drift check. */
  public Uni<List<Double>> recentProbabilities(
      String profileId, String object, String modelVersion, Instant since) {
    return NativeSql.<Number>list(
            "select probability from score where profile_id = :p and crm_object = :o"
                + " and model_version = :v and scored_at >= :t",
            Map.of("p", profileId, "o", object, "v", modelVersion, "t", at(since)))
        .map(rows -> rows.stream().map(Number::doubleValue).toList());
  }
}

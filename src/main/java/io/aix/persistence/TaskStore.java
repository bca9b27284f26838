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

/**
 * Hot-lead tasks, claimed in PostgreSQL before they are created in the CRM: at most one open task
 * per lead and kind, whatever the retries, restarts or replicas.
 */
@ApplicationScoped
public class TaskStore {
  private static final String[] CLAIM_COLUMNS = {
    "varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "timestamptz"
  };

  /**
   * A lead that should hold an open task, with what the task will say.
   *
   * @param ownerId the CRM user to assign it to; null leaves it unassigned
   * @param body the rep-facing text, fixed when the lead turned hot
   * @param claimedAt when the claim was stored; null for a claim not yet stored
   */
  public record Claim(
      String crmId, String idempotencyKey, String ownerId, String body, Instant claimedAt) {}

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  /**
   * Claims an open task for each lead that has none, then returns the claimed tasks of the object
   * not yet created in the CRM and not being sent by another worker (this batch's, and any left by
   * an earlier crash or failure). Nothing is leased: see {@link #lease}.
   */
  public Uni<List<Claim>> claim(
      String profileId, String object, String kind, List<Claim> claims, Instant now, int limit) {
    String insert =
        "insert into lead_task (profile_id, crm_object, crm_id, kind, idempotency_key, owner_id,"
            + " body, created_at) values %s on conflict do nothing";
    String unsent =
        "select crm_id, idempotency_key, owner_id, body, created_at from lead_task"
            + " where profile_id = $1 and crm_object = $2 and kind = $3 and closed_at is null"
            + " and crm_task_id is null and (send_lease_until is null or send_lease_until < $4)"
            + " order by id limit $5";
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s ->
                        BatchSql.execute(
                                s,
                                insert,
                                CLAIM_COLUMNS,
                                claims,
                                c ->
                                    new Object[] {
                                      profileId,
                                      object,
                                      c.crmId(),
                                      kind,
                                      c.idempotencyKey(),
                                      c.ownerId(),
                                      c.body(),
                                      at(now)
                                    })
                            .chain(
                                () ->
                                    PreparedSql.rows(
                                        s, unsent, profileId, object, kind, at(now), (long) limit)))
                .map(
                    rows -> {
                      List<Claim> out = new ArrayList<>(rows.size());
                      for (Object[] r : rows) {
                        out.add(
                            new Claim(
                                (String) r[0],
                                (String) r[1],
                                (String) r[2],
                                (String) r[3],
                                NativeSql.instant(r[4])));
                      }
                      return out;
                    }));
  }

  /**
   * Leases these claims for sending until {@code until}, skipping any another worker holds; yields
   * the idempotency keys this worker may send, each with how many times it has been handed to the
   * CRM counting this one (above 1: an earlier attempt may have created it).
   */
  public Uni<Map<String, Integer>> lease(List<String> keys, Instant now, Instant until) {
    if (keys.isEmpty()) {
      return Uni.createFrom().item(Map.of());
    }
    return Panache.withTransaction(
            () ->
                Panache.getSession()
                    .chain(
                        s ->
                            PreparedSql.rows(
                                s,
                                "update lead_task set send_lease_until = $1,"
                                    + " send_attempts = send_attempts + 1 where id in (select id"
                                    + " from lead_task where idempotency_key = any($2)"
                                    + " and crm_task_id is null"
                                    + " and (send_lease_until is null or send_lease_until < $3)"
                                    + " for update skip locked)"
                                    + " returning idempotency_key, send_attempts",
                                at(until),
                                keys.toArray(String[]::new),
                                at(now))))
        .map(
            rows -> {
              Map<String, Integer> out = new java.util.HashMap<>();
              for (Object[] r : rows) {
                out.put((String) r[0], ((Number) r[1]).intValue());
              }
              return out;
            });
  }

  /** A send failed: the claims may go again with the next batch, not only when the lease ends. */
  public Uni<Void> release(List<String> keys) {
    if (keys.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return update(
        "update lead_task set send_lease_until = null where idempotency_key = any($1)"
            + " and crm_task_id is null",
        (Object) keys.toArray(String[]::new));
  }

  private static final String[] CREATED_COLUMNS = {"varchar", "varchar", "timestamptz"};

  /** Tasks the CRM created (idempotency key to its task id), recorded in one statement. */
  public Uni<Void> created(Map<String, String> crmTaskIds, Instant now) {
    if (crmTaskIds.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    OffsetDateTime at = at(now);
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s ->
                        BatchSql.execute(
                            s,
                            "update lead_task t set crm_task_id = v.task_id,"
                                + " crm_created_at = v.created_at from (values %s)"
                                + " as v(idempotency_key, task_id, created_at)"
                                + " where t.idempotency_key = v.idempotency_key",
                            CREATED_COLUMNS,
                            List.copyOf(crmTaskIds.entrySet()),
                            e -> new Object[] {e.getKey(), e.getValue(), at})));
  }

  /** The leads cooled down: their open tasks close, so turning hot again makes a new one. */
  public Uni<Void> close(
      String profileId, String object, String kind, List<String> crmIds, Instant now) {
    if (crmIds.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return update(
        "update lead_task set closed_at = $1 where profile_id = $2 and crm_object = $3"
            + " and kind = $4 and crm_id = any($5) and closed_at is null",
        at(now),
        profileId,
        object,
        kind,
        crmIds.toArray(String[]::new));
  }

  /** One prepared statement in a transaction of its own. */
  private static Uni<Void> update(String sql, Object... params) {
    return Panache.withTransaction(
        () ->
            Panache.getSession().chain(s -> PreparedSql.update(s, sql, params)).replaceWithVoid());
  }

  /** Tasks confirmed created in the CRM for a profile. */
  public Uni<Long> createdCount(String profileId) {
    return NativeSql.<Number>single(
            "select count(*) from lead_task where profile_id = :p and crm_task_id is not null",
            Map.of("p", profileId))
        .map(Number::longValue);
  }
}

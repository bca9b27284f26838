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
        "select crm_id, idempotency_key, owner_id, body, created_at from lead_task where profile_id = :p and crm_object = :o"
            + " and kind = :k and closed_at is null and crm_task_id is null"
            + " and (send_lease_until is null or send_lease_until < :now) order by id limit :n";
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
                                    s.<Object[]>createNativeQuery(unsent)
                                        .setParameter("p", profileId)
                                        .setParameter("o", object)
                                        .setParameter("k", kind)
                                        .setParameter("n", limit)
                                        .setParameter("now", at(now))
                                        .getResultList()))
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
    return NativeSql.<Object[]>transactionalList(
            "update lead_task set send_lease_until = :until, send_attempts = send_attempts + 1"
                + " where id in (select id from lead_task where idempotency_key in (:keys)"
                + " and crm_task_id is null"
                + " and (send_lease_until is null or send_lease_until < :now)"
                + " for update skip locked) returning idempotency_key, send_attempts",
            Map.of("until", at(until), "keys", keys, "now", at(now)))
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
    return NativeSql.update(
            "update lead_task set send_lease_until = null where idempotency_key in (:keys)"
                + " and crm_task_id is null",
            Map.of("keys", keys))
        .replaceWithVoid();
  }

  public Uni<Void> created(String idempotencyKey, String crmTaskId, Instant now) {
    return NativeSql.update(
            "update lead_task set crm_task_id = :t, crm_created_at = :at"
                + " where idempotency_key = :k",
            Map.of("t", crmTaskId, "at", at(now), "k", idempotencyKey))
        .replaceWithVoid();
  }

  /** The leads cooled down: their open tasks close, so turning hot again makes a new one. */
  public Uni<Void> close(
      String profileId, String object, String kind, List<String> crmIds, Instant now) {
    if (crmIds.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return NativeSql.update(
            "update lead_task set closed_at = :t where profile_id = :p and crm_object = :o"
                + " and kind = :k and crm_id in (:ids) and closed_at is null",
            Map.of("t", at(now), "p", profileId, "o", object, "k", kind, "ids", crmIds))
        .replaceWithVoid();
  }

  /** Tasks confirmed created in the CRM for a profile. */
  public Uni<Long> createdCount(String profileId) {
    return NativeSql.<Number>single(
            "select count(*) from lead_task where profile_id = :p and crm_task_id is not null",
            Map.of("p", profileId))
        .map(Number::longValue);
  }
}

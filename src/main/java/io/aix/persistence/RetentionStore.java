package io.aix.persistence;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Data minimisation: what a profile's retention period lets go. A lead the CRM has not changed
 * since the cut-off leaves with its scores, tasks, dead letters and pending notices; a kept lead
 * loses score versions older than the cut-off that are neither its current nor its last written
 * one; dead letters older than the cut-off go. One transaction per profile; a replica that finds
 * another one purging skips.
 */
@ApplicationScoped
public class RetentionStore {
  private static final String PURGE =
      "with old as (delete from lead where profile_id = :p and crm_modified_at < :cut"
          + "   and not exists (select 1 from work_item w where w.profile_id = lead.profile_id"
          + "     and w.crm_object = lead.crm_object and w.crm_id = lead.crm_id)"
          + "   returning crm_object, crm_id),"
          + " s as (delete from score using old where score.profile_id = :p"
          + "   and score.crm_object = old.crm_object and score.crm_id = old.crm_id returning 1),"
          + " t as (delete from lead_task using old where lead_task.profile_id = :p"
          + "   and lead_task.crm_object = old.crm_object and lead_task.crm_id = old.crm_id"
          + "   returning 1),"
          + " f as (delete from lead_feedback using old where lead_feedback.profile_id = :p"
          + "   and lead_feedback.crm_object = old.crm_object and lead_feedback.crm_id = old.crm_id"
          + "   returning 1),"
          + " r as (delete from dry_run_write using old where dry_run_write.profile_id = :p"
          + "   and dry_run_write.crm_object = old.crm_object and dry_run_write.crm_id = old.crm_id"
          + "   returning 1),"
          + " g as (delete from engagement_signal g where g.profile_id = :p"
          + "   and (g.occurred_at < :cut or exists (select 1 from old"
          + "   where old.crm_object = g.crm_object and old.crm_id = g.crm_id)) returning 1),"
          + " i as (delete from inbound_event using old where inbound_event.profile_id = :p"
          + "   and inbound_event.crm_object = old.crm_object and inbound_event.crm_id = old.crm_id"
          + "   returning 1),"
          + " h as (delete from score sc using lead l where sc.profile_id = :p"
          + "   and l.profile_id = sc.profile_id and l.crm_object = sc.crm_object"
          + "   and l.crm_id = sc.crm_id and sc.scored_at < :cut"
          + "   and sc.version < l.score_version and sc.version < l.written_version returning 1),"
          + " d as (delete from dead_letter where profile_id = :p and created_at < :cut"
          + "   returning 1)"
          + " select (select count(*) from old), (select count(*) from s),"
          + " (select count(*) from t), (select count(*) from i), (select count(*) from h),"
          + " (select count(*) from d), (select count(*) from f),"
          + " (select count(*) from g)";

  /** Rows purged per kind; empty when another replica holds this profile's purge. */
  public Uni<Map<String, Long>> purge(String profileId, Instant cutoff) {
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s ->
                        s.<Boolean>createNativeQuery(
                                "select pg_try_advisory_xact_lock(hashtext(:k))")
                            .setParameter("k", "aix-retention:" + profileId)
                            .getSingleResult()
                            .chain(
                                locked -> {
                                  if (!Boolean.TRUE.equals(locked)) {
                                    return Uni.createFrom().item(Map.<String, Long>of());
                                  }
                                  return s.<Object[]>createNativeQuery(PURGE)
                                      .setParameter("p", profileId)
                                      .setParameter("cut", cutoff.atOffset(ZoneOffset.UTC))
                                      .getSingleResult()
                                      .map(RetentionStore::counts);
                                })));
  }

  private static Map<String, Long> counts(Object[] r) {
    String[] names = {
      "leads", "scores", "tasks", "notices", "scoreHistory", "deadLetters", "feedback", "signals"
    };
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      out.put(names[i], ((Number) r[i]).longValue());
    }
    return out;
  }
}

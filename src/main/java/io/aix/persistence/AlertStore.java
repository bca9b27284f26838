package io.aix.persistence;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Alert episodes and the source heartbeats the rules read. */
@ApplicationScoped
public class AlertStore {
  /** An open episode: its key, its message, whether the notification went out. */
  public record Episode(String key, String message, Instant openedAt, boolean notified) {}

  /** When each stream of a profile last checkpointed a page. */
  public Uni<Map<String, Instant>> heartbeats(String profileId) {
    return NativeSql.<Object[]>list(
            "select stream, updated_at from source_offset where profile_id = :p",
            Map.of("p", profileId))
        .map(
            rows -> {
              Map<String, Instant> out = new HashMap<>();
              for (Object[] r : rows) {
                out.put((String) r[0], NativeSql.instant(r[1]));
              }
              return out;
            });
  }

  /** When the oldest record of an object still waiting to be processed was queued; null if none. */
  public Uni<Instant> oldestWaiting(String profileId, String object, Instant now) {
    return NativeSql.<Object>list(
            "select min(enqueued_at) from work_item where profile_id = :p and crm_object = :o"
                + " and available_at <= :now",
            Map.of("p", profileId, "o", object, "now", now.atOffset(ZoneOffset.UTC)))
        .map(rows -> rows.isEmpty() || rows.get(0) == null ? null : NativeSql.instant(rows.get(0)));
  }

  /** Since {@code since}: records dead-lettered, and records processed (scored or refused). */
  public Uni<long[]> outcomes(String profileId, String object, Instant since) {
    return NativeSql.<Object[]>single(
            "select (select count(*) from dead_letter where profile_id = :p and crm_object = :o"
                + " and created_at >= :t), (select count(*) from lead where profile_id = :p"
                + " and crm_object = :o and updated_at >= :t)",
            Map.of("p", profileId, "o", object, "t", since.atOffset(ZoneOffset.UTC)))
        .map(
            r -> {
              long dead = ((Number) r[0]).longValue();
              return new long[] {dead, dead + ((Number) r[1]).longValue()};
            });
  }

  /** Opens an episode unless one is open; true when this call opened it. */
  public Uni<Boolean> open(String key, String message, Instant now) {
    return NativeSql.update(
            "insert into alert_episode (alert_key, message, opened_at) values (:k, :m, :t)"
                + " on conflict (alert_key) where resolved_at is null do nothing",
            Map.of("k", key, "m", message, "t", now.atOffset(ZoneOffset.UTC)))
        .map(n -> n == 1);
  }

  public Uni<Void> notified(String key, Instant now) {
    return NativeSql.update(
            "update alert_episode set notified_at = :t where alert_key = :k and resolved_at is null",
            Map.of("k", key, "t", now.atOffset(ZoneOffset.UTC)))
        .replaceWithVoid();
  }

  /** Closes the open episode of this key; true when there was one. */
  public Uni<Boolean> resolve(String key, Instant now) {
    return NativeSql.update(
            "update alert_episode set resolved_at = :t where alert_key = :k and resolved_at is null",
            Map.of("k", key, "t", now.atOffset(ZoneOffset.UTC)))
        .map(n -> n > 0);
  }

  public Uni<List<Episode>> openEpisodes() {
    return NativeSql.<Object[]>list(
            "select alert_key, message, opened_at, notified_at is not null from alert_episode"
                + " where resolved_at is null order by opened_at",
            Map.of())
        .map(
            rows ->
                rows.stream()
                    .map(
                        r ->
                            new Episode(
                                (String) r[0],
                                (String) r[1],
                                NativeSql.instant(r[2]),
                                (Boolean) r[3]))
                    .toList());
  }
}

package io.aix.persistence;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The append-only audit log (table {@code audit_log}; PostgreSQL refuses updates, deletes and
 * truncation): who wrote to a CRM, promoted a model, changed a profile, erased a person or called
 * the admin API, and when. Entries never carry personal data: people appear as subject hashes,
 * records as counts.
 */
@ApplicationScoped
public class AuditLog {
  private static final Logger LOG = Logger.getLogger(AuditLog.class);

  /** Who acts when no person does: AIX's own pipeline and schedules. */
  public static final String SYSTEM = "aix";

  /** What is audited. */
  public static final class Action {
    public static final String CRM_WRITE = "crm.write";
    public static final String MODEL_PROMOTE = "model.promote";
    public static final String MODEL_ROLLBACK = "model.rollback";
    public static final String CONFIG_CHANGE = "config.change";
    public static final String SUBJECT_ERASE = "subject.erase";
    public static final String SUBJECT_EXPORT = "subject.export";
    public static final String RETENTION_PURGE = "retention.purge";
    public static final String API_CALL = "api.call";

    private Action() {}
  }

  public record Entry(
      long id, Instant at, String actor, String action, String target, String details) {}

  /** Appends one entry in its own transaction. */
  public Uni<Void> append(String actor, String action, String target, String details) {
    return NativeSql.update(
            "insert into audit_log (at, actor, action, target, details)"
                + " values (:at, :actor, :action, :target, :details)",
            Map.of(
                "at", Instant.now().atOffset(ZoneOffset.UTC),
                "actor", clip(actor, 200),
                "action", action,
                "target", clip(target, 300),
                "details", details))
        .replaceWithVoid();
  }

  /**
   * Appends from a pipeline thread; a failure is logged, not thrown: the CRM write it records has
   * happened and must not be retried because its audit line could not be stored.
   */
  public void appendQuietly(String actor, String action, String target, String details) {
    try {
      ReactiveBridge.await(() -> append(actor, action, target, details));
    } catch (RuntimeException e) {
      LOG.errorf(e, "Could not append to the audit log: %s %s %s", actor, action, target);
    }
  }

  /** Entries, newest first, optionally of one action and since a time. */
  public Uni<List<Entry>> list(String action, Instant since, int limit) {
    Map<String, Object> params = new HashMap<>();
    StringBuilder sql =
        new StringBuilder(
            "select id, at, actor, action, target, details from audit_log where 1 = 1");
    if (action != null) {
      sql.append(" and action = :action");
      params.put("action", action);
    }
    if (since != null) {
      sql.append(" and at >= :since");
      params.put("since", since.atOffset(ZoneOffset.UTC));
    }
    sql.append(" order by id desc limit ").append(limit);
    return NativeSql.<Object[]>list(sql.toString(), params)
        .map(
            rows ->
                rows.stream()
                    .map(
                        r ->
                            new Entry(
                                ((Number) r[0]).longValue(),
                                NativeSql.instant(r[1]),
                                (String) r[2],
                                (String) r[3],
                                (String) r[4],
                                (String) r[5]))
                    .toList());
  }

  /** The details of the newest entry of this action and target, if any. */
  public Uni<java.util.Optional<String>> lastDetails(String action, String target) {
    return NativeSql.<String>list(
            "select details from audit_log where action = :a and target = :t"
                + " order by id desc limit 1",
            Map.of("a", action, "t", target))
        .map(rows -> rows.stream().findFirst());
  }

  private static String clip(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max);
  }
}

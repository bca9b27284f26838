package io.aix.persistence;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the planner's statistics of AIX's busiest tables current while a backfill fills them.
 *
 * <p>PostgreSQL plans a join from each table's row estimate, and a table that has not been analysed
 * since it went from empty to 20,000 rows is still estimated at one row. Autovacuum analyses a
 * table once a tenth of it changed, but looks only once a minute (its naptime), so a backfill
 * outruns it: settling a bulk job of 20,000 rows was planned as a nested loop over 400 million row
 * pairs and took over two minutes instead of a fifth of a second. A plain {@code ANALYZE} of a
 * changed table (it reads a sample, at most 30,000 rows, and blocks no reads nor writes) makes the
 * same statement use hash joins.
 *
 * <p>Each pass of a million leads also leaves millions of dead row versions in the queue tables
 * (every work item and bulk row is inserted, updated and deleted). Autovacuum clears them where it
 * runs; where it is off or falls far behind (a server with {@code autovacuum = off} held 4.2
 * million dead rows in 5.7 GB of {@code bulk_write} after a million-lead backfill, and every pass
 * slowed), AIX vacuums such a table itself: one at a time, beside the work, never waited for.
 */
@ApplicationScoped
public class TableStats {
  /** The tables a backfill or re-score fills and joins; the only names this class ever analyses. */
  static final List<String> TABLES =
      List.of(
          "work_item",
          "lead",
          "score",
          "bulk_write",
          "processed_event",
          "inbound_event",
          "engagement_signal");

  @Inject Pool pool;

  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(TableStats.class);

  /** A vacuum of one of the tables is running (in this process). */
  private final java.util.concurrent.atomic.AtomicBoolean vacuuming =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Starts a {@code VACUUM (ANALYZE, TRUNCATE false)} of the one of {@link #TABLES} with the most
   * dead rows, if it holds more than 200,000 and more than its live rows (autovacuum, where it
   * runs, starts at a fifth), and no vacuum started here is still running. Returns at once; yields
   * the table it started on, or null.
   */
  public Uni<String> vacuumBloated() {
    if (vacuuming.get()) {
      return Uni.createFrom().nullItem();
    }
    return pool.preparedQuery(
            "select relname from pg_stat_user_tables where schemaname = current_schema()"
                + " and relname = any($1) and n_dead_tup > 200000 + n_live_tup"
                + " order by n_dead_tup desc limit 1")
        .execute(Tuple.of(TABLES.toArray(String[]::new)))
        .map(
            rows -> {
              String table = rows.size() == 0 ? null : rows.iterator().next().getString(0);
              if (table == null
                  || !TABLES.contains(table)
                  || !vacuuming.compareAndSet(false, true)) {
                return null;
              }
              long started = System.nanoTime();
              // Without truncation: the empty pages at a table's end (a settled job's rows) are
              // reused by the next job, and cutting them off takes an ACCESS EXCLUSIVE lock on the
              // table (PostgreSQL, "VACUUM": TRUNCATE). In a million-lead backfill a user's change
              // waited 12 s, all through such a vacuum of bulk_write.
              pool.query("vacuum (analyze, truncate false) " + table)
                  .execute()
                  .subscribe()
                  .with(
                      done -> {
                        vacuuming.set(false);
                        LOG.infof(
                            "vacuumed %s in %d s (autovacuum had not)",
                            table, (System.nanoTime() - started) / 1_000_000_000L);
                      },
                      failure -> {
                        vacuuming.set(false);
                        LOG.warnf("vacuum of %s failed: %s", table, failure.getMessage());
                      });
              return table;
            });
  }

  /**
   * Analyses each of {@link #TABLES} that changed by more than 1,000 rows and 5% since it was last
   * analysed (by anyone, autovacuum included). Yields the tables analysed.
   */
  public Uni<List<String>> refreshStale() {
    return pool.preparedQuery(
            "select relname from pg_stat_user_tables where schemaname = current_schema()"
                + " and relname = any($1) and n_mod_since_analyze > 1000 + 0.05 * n_live_tup")
        .execute(Tuple.of(TABLES.toArray(String[]::new)))
        .chain(
            rows -> {
              List<String> stale = new ArrayList<>();
              for (Row r : rows) {
                String name = r.getString(0);
                if (TABLES.contains(name)) {
                  stale.add(name);
                }
              }
              Uni<Void> chain = Uni.createFrom().voidItem();
              for (String table : stale) {
                chain =
                    chain.chain(() -> pool.query("analyze " + table).execute().replaceWithVoid());
              }
              return chain.replaceWith(stale);
            });
  }
}

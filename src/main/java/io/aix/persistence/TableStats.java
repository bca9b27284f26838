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

package io.aix.persistence;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;
import org.hibernate.reactive.mutiny.impl.MutinySessionImpl;
import org.hibernate.reactive.pool.ReactiveConnection;

/**
 * Statements of the hot paths, written for PostgreSQL ({@code $1} parameters, {@code = any($n)} for
 * a list) and run as they are on a session's connection, inside its transaction: Hibernate neither
 * parses nor rewrites them, and one statement text per call site means the pool prepares each once
 * per connection ({@code quarkus.datasource.reactive.cache-prepared-statements}).
 */
final class PreparedSql {
  private PreparedSql() {}

  /** Runs an insert, update or delete; yields the rows it touched. */
  static Uni<Integer> update(Mutiny.Session session, String sql, Object... params) {
    return Uni.createFrom().completionStage(() -> connection(session).update(sql, params));
  }

  /** Runs a query; yields its rows, each column as the reactive driver hands it back. */
  static Uni<List<Object[]>> rows(Mutiny.Session session, String sql, Object... params) {
    return Uni.createFrom()
        .completionStage(() -> connection(session).select(sql, params))
        .map(
            result -> {
              List<Object[]> out = new ArrayList<>();
              result.forEachRemaining(out::add);
              return out;
            });
  }

  /**
   * The connection a Hibernate Reactive session holds, on which its transaction runs. Quarkus opens
   * every session as {@link MutinySessionImpl}; anything else is a wiring error, not a fallback.
   */
  static ReactiveConnection connection(Mutiny.Session session) {
    if (session instanceof MutinySessionImpl impl) {
      return impl.getReactiveConnection();
    }
    throw new IllegalStateException("not a Hibernate Reactive session: " + session.getClass());
  }
}

package io.aix.persistence;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Multi-row statements: one round trip per chunk of rows instead of one per row. {@code template}
 * holds a single {@code %s} where the rows' {@code (...)} tuples go; each row supplies its values
 * in column order.
 */
final class BatchSql {
  static final int CHUNK = 200;

  private BatchSql() {}

  static <T> Uni<Void> execute(
      Mutiny.Session session,
      String template,
      String[] types,
      List<T> rows,
      Function<T, Object[]> values) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (int from = 0; from < rows.size(); from += CHUNK) {
      List<T> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
      chain = chain.chain(() -> executeChunk(session, template, types, chunk, values));
    }
    return chain;
  }

  /**
   * As {@link #execute}, for a statement with a {@code returning} clause of one column: yields the
   * returned values of all chunks.
   */
  static <T, R> Uni<List<R>> returning(
      Mutiny.Session session,
      String template,
      String[] types,
      List<T> rows,
      Function<T, Object[]> values) {
    List<R> out = new ArrayList<>();
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (int from = 0; from < rows.size(); from += CHUNK) {
      List<T> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
      chain =
          chain.chain(
              () ->
                  BatchSql.<T, R>query(session, template, types, chunk, values)
                      .getResultList()
                      .invoke(out::addAll)
                      .replaceWithVoid());
    }
    return chain.replaceWith(out);
  }

  private static <T> Uni<Void> executeChunk(
      Mutiny.Session session,
      String template,
      String[] types,
      List<T> chunk,
      Function<T, Object[]> values) {
    return BatchSql.<T, Object>query(session, template, types, chunk, values)
        .executeUpdate()
        .replaceWithVoid();
  }

  private static <T, R> Mutiny.Query<R> query(
      Mutiny.Session session,
      String template,
      String[] types,
      List<T> chunk,
      Function<T, Object[]> values) {
    StringBuilder tuples = new StringBuilder();
    List<Object> params = new ArrayList<>();
    for (T row : chunk) {
      Object[] v = values.apply(row);
      tuples.append(tuples.length() == 0 ? "(" : ", (");
      for (int i = 0; i < v.length; i++) {
        tuples
            .append(i == 0 ? "cast(?" : ", cast(?")
            .append(params.size() + 1)
            .append(" as ")
            .append(types[i])
            .append(')');
        params.add(v[i]);
      }
      tuples.append(')');
    }
    Mutiny.Query<R> query = session.createNativeQuery(template.formatted(tuples));
    for (int i = 0; i < params.size(); i++) {
      query.setParameter(i + 1, params.get(i));
    }
    return query;
  }
}

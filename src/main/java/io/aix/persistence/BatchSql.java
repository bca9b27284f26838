package io.aix.persistence;

import io.smallrye.mutiny.Uni;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Set-based statements: one round trip for all rows of a step, and one statement text whatever the
 * number of rows, so PostgreSQL prepares it once per connection ({@code
 * quarkus.datasource.reactive.cache-prepared-statements}) and Hibernate never parses it.
 *
 * <p>{@code template} holds a single {@code values %s} where the rows go (an insert's {@code values
 * %s}, or a {@code (values %s) as v(...)} join); it becomes {@code select * from unnest($1, $2,
 * ...)} with one typed array per column, each row supplying its values in column order. The
 * statement runs on the session's own connection, inside its transaction.
 */
final class BatchSql {
  /** Rows per statement: a bound on one message's size, far above a pipeline batch. */
  static final int CHUNK = 2_000;

  private static final Map<String, String> STATEMENTS = new ConcurrentHashMap<>();

  private BatchSql() {}

  static <T> Uni<Void> execute(
      Mutiny.Session session,
      String template,
      String[] types,
      List<T> rows,
      Function<T, Object[]> values) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    String sql = statement(template, types);
    for (int from = 0; from < rows.size(); from += CHUNK) {
      List<T> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
      chain =
          chain.chain(
              () ->
                  Uni.createFrom()
                      .completionStage(
                          () ->
                              PreparedSql.connection(session)
                                  .update(sql, arrays(types, chunk, values)))
                      .replaceWithVoid());
    }
    return chain;
  }

  /**
   * As {@link #execute}, for a statement with a {@code returning} clause of one column: yields the
   * returned values of all chunks.
   */
  @SuppressWarnings("unchecked")
  static <T, R> Uni<List<R>> returning(
      Mutiny.Session session,
      String template,
      String[] types,
      List<T> rows,
      Function<T, Object[]> values) {
    List<R> out = new ArrayList<>();
    String sql = statement(template, types);
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (int from = 0; from < rows.size(); from += CHUNK) {
      List<T> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
      chain =
          chain.chain(
              () ->
                  Uni.createFrom()
                      .completionStage(
                          () ->
                              PreparedSql.connection(session)
                                  .select(sql, arrays(types, chunk, values)))
                      .invoke(result -> result.forEachRemaining(row -> out.add((R) row[0])))
                      .replaceWithVoid());
    }
    return chain.replaceWith(out);
  }

  /** The template with its rows as {@code unnest} of one array parameter per column. */
  static String statement(String template, String[] types) {
    return STATEMENTS.computeIfAbsent(
        template + "\n" + String.join(",", types),
        k -> {
          if (!template.contains("values %s")) {
            throw new IllegalArgumentException("no 'values %s' in " + template);
          }
          StringBuilder unnest = new StringBuilder("select * from unnest(");
          for (int i = 0; i < types.length; i++) {
            unnest
                .append(i == 0 ? "" : ", ")
                .append("cast($")
                .append(i + 1)
                .append(" as ")
                .append(types[i])
                .append("[])");
          }
          return template.replace("values %s", unnest.append(')').toString());
        });
  }

  /** One array per column, typed as PostgreSQL expects it for the column's type. */
  static <T> Object[] arrays(String[] types, List<T> rows, Function<T, Object[]> values) {
    Object[] columns = new Object[types.length];
    for (int c = 0; c < types.length; c++) {
      columns[c] = newArray(types[c], rows.size());
    }
    for (int r = 0; r < rows.size(); r++) {
      Object[] v = values.apply(rows.get(r));
      for (int c = 0; c < types.length; c++) {
        ((Object[]) columns[c])[r] = element(types[c], v[c]);
      }
    }
    return columns;
  }

  private static Object[] newArray(String type, int size) {
    return switch (type) {
      case "varchar", "text" -> new String[size];
      case "timestamptz" -> new OffsetDateTime[size];
      case "boolean" -> new Boolean[size];
      case "bigint" -> new Long[size];
      case "integer" -> new Integer[size];
      case "float8" -> new Double[size];
      default -> throw new IllegalArgumentException("no array type for column type " + type);
    };
  }

  private static Object element(String type, Object v) {
    if (v == null) {
      return null;
    }
    return switch (type) {
      case "varchar", "text" -> v.toString();
      case "bigint" -> ((Number) v).longValue();
      case "integer" -> ((Number) v).intValue();
      case "float8" -> ((Number) v).doubleValue();
      default -> v;
    };
  }
}

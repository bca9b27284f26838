package io.aix.persistence;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;

/** One native statement with named parameters, in its own transaction or session. */
final class NativeSql {
  private NativeSql() {}

  private static <T> Mutiny.SelectionQuery<T> bind(
      Mutiny.SelectionQuery<T> query, Map<String, Object> params) {
    params.forEach(query::setParameter);
    return query;
  }

  /** Runs an insert, update or delete in a transaction; yields the rows it touched. */
  static Uni<Integer> update(String sql, Map<String, Object> params) {
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s -> {
                      Mutiny.MutationQuery query = s.createNativeQuery(sql);
                      params.forEach(query::setParameter);
                      return query.executeUpdate();
                    }));
  }

  /** Reads rows (each an {@code Object[]}, or a single value) in a read-only session. */
  static <T> Uni<List<T>> list(String sql, Map<String, Object> params) {
    return Panache.withSession(
        () ->
            Panache.getSession()
                .chain(s -> bind(s.<T>createNativeQuery(sql), params).getResultList()));
  }

  /** Runs a statement that returns rows ({@code ... returning}) in a transaction. */
  static <T> Uni<List<T>> transactionalList(String sql, Map<String, Object> params) {
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(s -> bind(s.<T>createNativeQuery(sql), params).getResultList()));
  }

  /** Reads exactly one row in a read-only session. */
  static <T> Uni<T> single(String sql, Map<String, Object> params) {
    return Panache.withSession(
        () ->
            Panache.getSession()
                .chain(s -> bind(s.<T>createNativeQuery(sql), params).getSingleResult()));
  }

  /** A timestamptz column as the reactive driver hands it back, as an Instant. */
  static java.time.Instant instant(Object value) {
    if (value instanceof java.time.Instant i) {
      return i;
    }
    if (value instanceof java.time.OffsetDateTime o) {
      return o.toInstant();
    }
    if (value instanceof java.time.LocalDateTime l) {
      return l.toInstant(java.time.ZoneOffset.UTC);
    }
    if (value instanceof java.util.Date d) {
      return d.toInstant();
    }
    throw new IllegalArgumentException("not a time stamp: " + value);
  }
}

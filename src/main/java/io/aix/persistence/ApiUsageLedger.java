package io.aix.persistence;

import io.aix.connector.ApiBudget;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * API calls per profile and window in {@code api_usage}: one atomic upsert per call, refused in the
 * database once the limit is reached, so replicas together never pass the budget.
 */
@ApplicationScoped
public class ApiUsageLedger implements ApiBudget.Ledger {
  @Override
  public long reserve(String profileId, Instant windowStart, long limit) {
    List<Number> rows =
        ReactiveBridge.await(
            () ->
                NativeSql.<Number>transactionalList(
                    "insert into api_usage (profile_id, window_start, calls) values (:p, :w, 1)"
                        + " on conflict (profile_id, window_start) do update"
                        + " set calls = api_usage.calls + 1 where api_usage.calls < :limit"
                        + " returning calls",
                    Map.of(
                        "p",
                        profileId,
                        "w",
                        windowStart.atOffset(ZoneOffset.UTC),
                        "limit",
                        limit)));
    if (rows.isEmpty() || rows.get(0).longValue() > limit) {
      return -1;
    }
    return rows.get(0).longValue();
  }
}

package io.aix.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What dry-run profiles would have written: per record and score version, each CRM field whose
 * value would change (before, after) and the task AIX would create. "Before" is what AIX last would
 * have written for the record, so each row shows the change a real run would make.
 */
@ApplicationScoped
public class DryRunStore {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One record's would-be write. */
  public record Entry(
      String crmObject,
      String crmId,
      int scoreVersion,
      JsonNode changes,
      String task,
      Instant recordedAt) {}

  /** One would-be write to record: the values a write would set, and the task, if any. */
  public record Planned(String crmId, int scoreVersion, Map<String, Object> values, String task) {}

  /** Records the planned writes of one page; a version recorded before is not recorded again. */
  public Uni<Integer> record(String profile, String object, List<Planned> planned, Instant now) {
    if (planned.isEmpty()) {
      return Uni.createFrom().item(0);
    }
    List<String> ids = planned.stream().map(Planned::crmId).toList();
    return NativeSql.<Object[]>list(
            "select distinct on (crm_id) crm_id, changes from dry_run_write"
                + " where profile_id = :p and crm_object = :o and crm_id in (:ids)"
                + " order by crm_id, score_version desc",
            Map.of("p", profile, "o", object, "ids", ids))
        .chain(
            rows -> {
              Map<String, JsonNode> last = new HashMap<>();
              for (Object[] r : rows) {
                last.put((String) r[0], read((String) r[1]));
              }
              StringBuilder sql =
                  new StringBuilder(
                      "insert into dry_run_write (profile_id, crm_object, crm_id, score_version,"
                          + " changes, task, recorded_at) values ");
              Map<String, Object> params =
                  new HashMap<>(Map.of("p", profile, "o", object, "t", now));
              for (int i = 0; i < planned.size(); i++) {
                Planned w = planned.get(i);
                ObjectNode changes = JSON.createObjectNode();
                JsonNode before = last.get(w.crmId());
                for (Map.Entry<String, Object> f : w.values().entrySet()) {
                  JsonNode previous = before == null ? null : before.path(f.getKey()).get("after");
                  JsonNode next = JSON.valueToTree(f.getValue());
                  if (previous == null || !Objects.equals(previous, next)) {
                    ObjectNode c = changes.putObject(f.getKey());
                    c.set("before", previous == null ? JSON.nullNode() : previous);
                    c.set("after", next);
                  }
                }
                sql.append(i == 0 ? "" : ", ")
                    .append("(:p, :o, :id")
                    .append(i)
                    .append(", :v")
                    .append(i)
                    .append(", :c")
                    .append(i)
                    .append(", cast(:k")
                    .append(i)
                    .append(" as text), :t)");
                params.put("id" + i, w.crmId());
                params.put("v" + i, w.scoreVersion());
                params.put("c" + i, changes.toString());
                params.put("k" + i, w.task());
              }
              sql.append(" on conflict on constraint dry_run_write_key do nothing");
              return NativeSql.update(sql.toString(), params);
            });
  }

  /** The newest entries of a profile, newest first. */
  public Uni<List<Entry>> latest(String profile, int limit) {
    return NativeSql.<Object[]>list(
            "select crm_object, crm_id, score_version, changes, task, recorded_at"
                + " from dry_run_write where profile_id = :p"
                + " order by recorded_at desc, id desc limit :n",
            Map.of("p", profile, "n", limit))
        .map(
            rows -> {
              List<Entry> out = new ArrayList<>();
              for (Object[] r : rows) {
                out.add(
                    new Entry(
                        (String) r[0],
                        (String) r[1],
                        ((Number) r[2]).intValue(),
                        read((String) r[3]),
                        (String) r[4],
                        NativeSql.instant(r[5])));
              }
              return out;
            });
  }

  /** How many would-be writes a profile has recorded. */
  public Uni<Long> count(String profile) {
    return NativeSql.<Number>single(
            "select count(*) from dry_run_write where profile_id = :p", Map.of("p", profile))
        .map(Number::longValue);
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}

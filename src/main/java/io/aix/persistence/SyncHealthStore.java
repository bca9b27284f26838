package io.aix.persistence;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the sync-health page shows, read per profile from the tables the pipeline keeps. */
@ApplicationScoped
public class SyncHealthStore {

  /** Every live lead of profile {@code :p} with its current score ({@code l}, {@code s}). */
  private static final String CURRENT_SCORES =
      " from lead l join score s on s.profile_id = l.profile_id and s.crm_object = l.crm_object"
          + " and s.crm_id = l.crm_id and s.version = l.score_version"
          + " where l.profile_id = :p and l.deleted_at is null";

  /** Records synced (stored after a change) and scored in one time bucket. */
  public record Bucket(Instant start, long synced, long scored) {}

  /** Dead letters of one stage and error code, with the newest as a sample. */
  public record ErrorType(
      String stage, String code, long total, long open, String sampleRecord, String sampleReason) {}

  /** One calibration bin: mean predicted probability against the observed conversion rate. */
  public record CalibrationBin(int bin, long leads, double predicted, double observed) {}

  /** API calls in one budget window. */
  public record UsageWindow(Instant start, long calls) {}

  /**
   * Counts of the profile's leads: stored, scored, written back, queued, dead-lettered, and scores
   * waiting for (or in) a bulk job.
   */
  public record Totals(
      long leads, long scored, long written, long queued, long openDeadLetters, long bulkWaiting) {
    /**
     * Work in flight: records queued, and scores not yet in the CRM because a bulk job has them.
     */
    public long inFlight() {
      return queued + bulkWaiting;
    }
  }

  public Uni<Totals> totals(String profile) {
    return NativeSql.<Object[]>single(
            "select (select count(*) from lead where profile_id = :p and deleted_at is null),"
                + " (select count(*) from lead where profile_id = :p and score_version > 0),"
                + " (select count(*) from lead where profile_id = :p and written_version > 0),"
                + " (select count(*) from work_item where profile_id = :p),"
                + " (select count(*) from dead_letter where profile_id = :p and replayed_at is null),"
                + " (select count(*) from bulk_write where profile_id = :p)",
            Map.of("p", profile))
        .map(r -> new Totals(num(r[0]), num(r[1]), num(r[2]), num(r[3]), num(r[4]), num(r[5])));
  }

  /** {@code buckets} buckets of {@code step} ending now: leads synced and scored in each. */
  public Uni<List<Bucket>> activity(String profile, Instant end, Duration step, int buckets) {
    Instant from = end.minus(step.multipliedBy(buckets));
    String bucket = "floor(extract(epoch from (t - cast(:from as timestamptz))) / :step)::int";
    return NativeSql.<Object[]>list(
            "select "
                + bucket
                + " as b, sum(synced), sum(scored) from ("
                + " select updated_at as t, 1 as synced, 0 as scored from lead"
                + "  where profile_id = :p and updated_at >= :from"
                + " union all"
                + " select scored_at, 0, 1 from score where profile_id = :p and scored_at >= :from"
                + ") e group by b order by b",
            Map.of("p", profile, "from", from, "step", (double) step.toSeconds()))
        .map(
            rows -> {
              long[] synced = new long[buckets];
              long[] scored = new long[buckets];
              for (Object[] r : rows) {
                int b = ((Number) r[0]).intValue();
                if (b >= 0 && b < buckets) {
                  synced[b] = num(r[1]);
                  scored[b] = num(r[2]);
                }
              }
              List<Bucket> out = new ArrayList<>();
              for (int i = 0; i < buckets; i++) {
                out.add(new Bucket(from.plus(step.multipliedBy(i)), synced[i], scored[i]));
              }
              return out;
            });
  }

  public Uni<List<UsageWindow>> usage(String profile, int windows) {
    return NativeSql.<Object[]>list(
            "select window_start, calls from api_usage where profile_id = :p"
                + " order by window_start desc limit :n",
            Map.of("p", profile, "n", windows))
        .map(
            rows -> {
              List<UsageWindow> out = new ArrayList<>();
              rows.forEach(r -> out.add(0, new UsageWindow(NativeSql.instant(r[0]), num(r[1]))));
              return out;
            });
  }

  public Uni<List<ErrorType>> errors(String profile) {
    return NativeSql.<Object[]>list(
            "select stage, error_code, count(*), count(*) filter (where replayed_at is null),"
                + " (array_agg(coalesce(crm_id, '-') order by created_at desc))[1],"
                + " (array_agg(reason order by created_at desc))[1]"
                + " from dead_letter where profile_id = :p group by stage, error_code"
                + " order by count(*) desc limit 12",
            Map.of("p", profile))
        .map(
            rows ->
                rows.stream()
                    .map(
                        r ->
                            new ErrorType(
                                (String) r[0],
                                (String) r[1],
                                num(r[2]),
                                num(r[3]),
                                (String) r[4],
                                (String) r[5]))
                    .toList());
  }

  /** The latest score of every live lead, in ten bins of ten points. */
  public Uni<long[]> scoreHistogram(String profile) {
    return NativeSql.<Object[]>list(
            "select least(9, s.score / 10) as bin, count(*)" + CURRENT_SCORES + " group by 1",
            Map.of("p", profile))
        .map(
            rows -> {
              long[] bins = new long[10];
              for (Object[] r : rows) {
                bins[((Number) r[0]).intValue()] = num(r[1]);
              }
              return bins;
            });
  }

  /**
   * The current scores' probabilities against what happened: leads whose outcome the CRM shows (the
   * mapping's {@code converted}), in ten bins of predicted probability.
   */
  public Uni<List<CalibrationBin>> calibration(String profile) {
    return NativeSql.<Object[]>list(
            "select least(9, floor(s.probability * 10))::int as bin, count(*), avg(s.probability),"
                + " avg(case when (l.mapped_values::jsonb ->> 'converted') = 'true' then 1.0"
                + " else 0.0 end)"
                + CURRENT_SCORES
                + " and jsonb_exists(l.mapped_values::jsonb, 'converted') group by 1 order by 1",
            Map.of("p", profile))
        .map(
            rows ->
                rows.stream()
                    .map(
                        r ->
                            new CalibrationBin(
                                ((Number) r[0]).intValue(),
                                num(r[1]),
                                ((Number) r[2]).doubleValue(),
                                ((Number) r[3]).doubleValue()))
                    .toList());
  }

  private static long num(Object o) {
    return o == null ? 0 : ((Number) o).longValue();
  }
}

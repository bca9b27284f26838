package io.aix.connector;

import io.aix.lead.CrmRecord;
import io.aix.mapping.MappingProfile;
import io.aix.profile.CrmProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

/**
 * A connector behind its profile's own SmallRye Fault Tolerance guard, so one broken org never
 * trips another's breaker. Per call: a bulkhead (at most {@code concurrency} calls in flight, the
 * rest queue), a timeout, a circuit breaker counting only retriable failures, and retries with
 * jittered exponential backoff for the retriable class (429, 5xx, lock contention, timeouts,
 * resets). Permanent errors and a spent budget pass straight through: retrying cannot help.
 */
public final class GuardedConnector implements CrmConnector {
  private static final Logger LOG = Logger.getLogger(GuardedConnector.class);

  /** The guard's settings; {@code aix.crm.*} in the configuration. */
  public record Settings(
      Duration timeout,
      int retries,
      Duration retryDelay,
      Duration maxRetryDelay,
      Duration maxRetryDuration,
      int breakerVolume,
      double breakerRatio,
      Duration breakerDelay,
      int concurrency) {}

  private final CrmConnector delegate;
  private final Guard guard;
  private volatile CircuitBreakerState breaker = CircuitBreakerState.CLOSED;

  public GuardedConnector(CrmConnector delegate, Settings s) {
    this.delegate = delegate;
    String id = delegate.profile().id();
    this.guard =
        Guard.create()
            .withDescription("CRM calls of profile " + id)
            .withRetry()
            .maxRetries(s.retries())
            .delay(s.retryDelay().toMillis(), ChronoUnit.MILLIS)
            .jitter(Math.max(1, s.retryDelay().toMillis() / 2), ChronoUnit.MILLIS)
            .maxDuration(s.maxRetryDuration().toMillis(), ChronoUnit.MILLIS)
            .whenException(GuardedConnector::retriable)
            .withExponentialBackoff()
            .factor(2)
            .maxDelay(s.maxRetryDelay().toMillis(), ChronoUnit.MILLIS)
            .done()
            .done()
            .withCircuitBreaker()
            .requestVolumeThreshold(s.breakerVolume())
            .failureRatio(s.breakerRatio())
            .delay(s.breakerDelay().toMillis(), ChronoUnit.MILLIS)
            .successThreshold(1)
            .when(GuardedConnector::retriable)
            .onStateChange(
                state -> {
                  breaker = state;
                  LOG.warnf("Circuit breaker of profile %s is now %s", id, state);
                })
            .done()
            .withTimeout()
            .duration(s.timeout().toMillis(), ChronoUnit.MILLIS)
            .done()
            .withBulkhead()
            .limit(s.concurrency())
            .queueSize(64)
            .enableSynchronousQueueing()
            .done()
            .build();
  }

  /** Retry and trip the breaker on the retriable class only. */
  static boolean retriable(Throwable e) {
    if (e instanceof CrmCallException c) {
      return c.failure().kind() == CrmFailure.Kind.RETRIABLE;
    }
    return e instanceof TimeoutException;
  }

  private <T> T guarded(String what, Supplier<T> call) {
    try {
      return guard.get(call, (Class<T>) (Class<?>) Object.class);
    } catch (CircuitBreakerOpenException e) {
      throw new CrmCallException(
          new CrmFailure(
              CrmFailure.Kind.RETRIABLE,
              "CIRCUIT_OPEN",
              "calls to " + delegate.profile().id() + " paused after repeated failures"),
          e);
    } catch (TimeoutException e) {
      throw new CrmCallException(
          new CrmFailure(CrmFailure.Kind.RETRIABLE, "TIMEOUT", what + " timed out"), e);
    } catch (BulkheadException e) {
      throw new CrmCallException(
          new CrmFailure(CrmFailure.Kind.RETRIABLE, "BULKHEAD_FULL", e.getMessage()), e);
    }
  }

  /** CLOSED, OPEN or HALF_OPEN. */
  public CircuitBreakerState breaker() {
    return breaker;
  }

  public CrmConnector delegate() {
    return delegate;
  }

  /**
   * The delegate's bulk ability, if it has one, with a job's state and results read through this
   * guard (timeout, retries, breaker): a results call whose answer never came held the bulk writer
   * for good in a 200,000-lead run. Starting a job is not retried (a second attempt would start a
   * second job with the same rows), nor timed out half-way for the same reason.
   */
  public java.util.Optional<BulkScoreWrites> bulk() {
    if (!(delegate instanceof BulkScoreWrites b)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        new BulkScoreWrites() {
          @Override
          public java.util.Map<String, Object> bulkRow(String object, ScoreWrite write) {
            return b.bulkRow(object, write);
          }

          @Override
          public String startJob(
              String object, java.util.List<String> columns, java.util.List<BulkRow> rows) {
            return b.startJob(object, columns, rows);
          }

          @Override
          public JobState job(String jobId) {
            return guarded("bulk job state", () -> b.job(jobId));
          }

          @Override
          public Results results(String jobId, JobState state) {
            return guarded("bulk job results", () -> b.results(jobId, state));
          }

          @Override
          public long maxJobBytes() {
            return b.maxJobBytes();
          }

          @Override
          public int maxRowsPerWrite() {
            return b.maxRowsPerWrite();
          }

          @Override
          public java.util.List<WriteOutcome> writeRows(
              String object, java.util.List<BulkRow> rows) {
            return guarded("write", () -> b.writeRows(object, rows));
          }
        });
  }

  @Override
  public CrmProfile profile() {
    return delegate.profile();
  }

  @Override
  public PollPage poll(String object, MappingProfile mapping, Offset since, String pageToken) {
    return guarded("poll", () -> delegate.poll(object, mapping, since, pageToken));
  }

  @Override
  public PollPage poll(
      String object, MappingProfile mapping, Offset since, String pageToken, boolean othersOnly) {
    return guarded("poll", () -> delegate.poll(object, mapping, since, pageToken, othersOnly));
  }

  @Override
  public int maxWriteBatch() {
    return delegate.maxWriteBatch();
  }

  @Override
  public List<WriteOutcome> writeScores(String object, List<ScoreWrite> writes) {
    return guarded("write", () -> delegate.writeScores(object, writes));
  }

  @Override
  public java.util.Set<String> showing(String object, List<ScoreWrite> writes) {
    return guarded("read-back", () -> delegate.showing(object, writes));
  }

  @Override
  public List<CrmRecord> read(String object, MappingProfile mapping, List<String> ids) {
    return guarded("read", () -> delegate.read(object, mapping, ids));
  }

  @Override
  public String erase(String object, String crmId) {
    return guarded("erasure", () -> delegate.erase(object, crmId));
  }

  @Override
  public List<InstallFinding> checkInstall(java.util.Map<String, MappingProfile> mappings) {
    return guarded("install check", () -> delegate.checkInstall(mappings));
  }

  @Override
  public java.util.Map<String, Object> previewWrite(String object, ScoreWrite write) {
    return delegate.previewWrite(object, write);
  }

  @Override
  public List<String> activitySources() {
    return delegate.activitySources();
  }

  @Override
  public List<CrmActivity> activities(
      String object, String source, java.time.Instant since, int limit) {
    return guarded("activity read", () -> delegate.activities(object, source, since, limit));
  }

  @Override
  public boolean createsTasks() {
    return delegate.createsTasks();
  }

  @Override
  public java.util.Map<String, String> findTasks(String object, List<HotLeadTask> tasks) {
    return guarded("task lookup", () -> delegate.findTasks(object, tasks));
  }

  @Override
  public List<TaskOutcome> createTasks(String object, List<HotLeadTask> tasks) {
    // Not retried here: a creation whose answer was lost may have created the tasks, and HubSpot
    // and Salesforce have no idempotent create. The claims stay unsent and go with a later batch.
    if (breaker == CircuitBreakerState.OPEN) {
      throw new CrmCallException(
          new CrmFailure(
              CrmFailure.Kind.RETRIABLE,
              "CIRCUIT_OPEN",
              "calls to " + delegate.profile().id() + " paused after repeated failures"),
          null);
    }
    return delegate.createTasks(object, tasks);
  }

  @Override
  public ApiUsage apiUsage() {
    return delegate.apiUsage();
  }
}

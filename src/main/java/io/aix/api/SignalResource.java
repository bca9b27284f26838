package io.aix.api;

import io.aix.lead.EngagementSignal;
import io.aix.persistence.SignalStore;
import io.aix.profile.CrmProfile;
import io.aix.profile.LiveCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * {@code POST /api/v1/signals}: engagement signals from a web tracker, a marketing tool or a
 * product, in batches of up to 1,000. Idempotent by signal id per profile: a batch sent again
 * stores nothing twice. Each signal is checked on its own; the answer names every one refused and
 * why, and the rest are stored (200 when none was refused, 207 when some were). A new signal has
 * the record scored again within seconds, and may make it hot.
 */
@Path("/api/v1/signals")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class SignalResource {
  static final int MAX_BATCH = 1000;
  private static final Pattern SIGNAL_ID = Pattern.compile("[\\x21-\\x7E]{1,128}");
  private static final Pattern RECORD_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  @Inject SignalStore store;
  @Inject LiveCatalog catalog;
  @Inject SecurityIdentity identity;
  @Inject MeterRegistry metrics;

  /** Signals older than this no longer count toward engagement, so they are refused. */
  @ConfigProperty(name = "aix.signals.max-age", defaultValue = "90d")
  Duration maxAge;

  /** How far ahead of AIX's clock a sender's clock may run. */
  @ConfigProperty(name = "aix.signals.clock-skew", defaultValue = "5m")
  Duration clockSkew;

  /**
   * One signal as sent.
   *
   * @param id the sender's unique id of this signal (at most 128 printable characters)
   * @param profile the CRM profile of the record, e.g. {@code demo-salesforce}
   * @param object the record's CRM object, e.g. {@code Lead} or {@code contacts}
   * @param recordId the record's CRM id
   * @param type page_view, form_submit, email_open, email_click, meeting or product_event
   * @param occurredAt when the lead did it, ISO-8601 with an offset
   * @param detail optional context (page, form, campaign), at most 500 characters; avoid personal
   *     data here
   */
  public record Signal(
      String id,
      String profile,
      String object,
      String recordId,
      String type,
      String occurredAt,
      String detail) {}

  public record Batch(List<Signal> signals) {}

  /** A refused signal: its position in the batch, its id, and what is wrong. */
  public record Refused(int index, String id, String error) {}

  /**
   * @param accepted stored now
   * @param duplicates stored before (or twice in this batch): not stored again
   */
  public record Result(int received, int accepted, int duplicates, List<Refused> rejected) {}

  public record Problem(String error) {}

  @POST
  @RolesAllowed({"aix-integrator", "aix-admin"})
  public Uni<RestResponse<Object>> accept(Batch batch) {
    if (batch == null || batch.signals() == null || batch.signals().isEmpty()) {
      return Uni.createFrom()
          .item(
              RestResponse.status(
                  RestResponse.Status.BAD_REQUEST,
                  new Problem("send {\"signals\": [...]} with 1 to " + MAX_BATCH + " signals")));
    }
    if (batch.signals().size() > MAX_BATCH) {
      return Uni.createFrom()
          .item(
              RestResponse.ResponseBuilder.<Object>create(413)
                  .entity(
                      new Problem(
                          batch.signals().size()
                              + " signals in one batch; send at most "
                              + MAX_BATCH
                              + " per request"))
                  .build());
    }
    Instant now = Instant.now();
    Map<Integer, String> refused = new TreeMap<>();
    List<SignalStore.Incoming> valid = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    List<Signal> signals = batch.signals();
    for (int i = 0; i < signals.size(); i++) {
      Signal s = signals.get(i);
      try {
        valid.add(check(s, now));
        positions.add(i);
      } catch (IllegalArgumentException e) {
        refused.put(i, e.getMessage());
      }
    }
    String caller = identity.getPrincipal() == null ? null : identity.getPrincipal().getName();
    String source = "api:" + truncate(caller == null ? "unnamed" : caller, 56);
    Uni<SignalStore.Outcome> stored =
        valid.isEmpty()
            ? Uni.createFrom()
                .item(new SignalStore.Outcome(java.util.Set.of(), java.util.Set.of(), Map.of()))
            : store.accept(valid, source, now);
    return stored.map(
        outcome -> {
          outcome.unknown().forEach((k, why) -> refused.put(positions.get(k), why));
          List<Refused> rejected = new ArrayList<>();
          // In position order (a sorted map); a null in the list has no id to name.
          refused.forEach(
              (i, why) ->
                  rejected.add(
                      new Refused(i, signals.get(i) == null ? null : signals.get(i).id(), why)));
          count("accepted", outcome.accepted().size());
          count("duplicate", outcome.duplicates().size());
          count("rejected", rejected.size());
          Result result =
              new Result(
                  signals.size(), outcome.accepted().size(), outcome.duplicates().size(), rejected);
          return rejected.isEmpty()
              ? RestResponse.ok(result)
              : RestResponse.ResponseBuilder.<Object>create(207).entity(result).build();
        });
  }

  private void count(String outcome, int n) {
    if (n > 0) {
      metrics.counter("aix_signals_total", "outcome", outcome).increment(n);
    }
  }

  /** The signal in stored form, or why it cannot be taken (in words for the sender). */
  SignalStore.Incoming check(Signal s, Instant now) {
    if (s == null) {
      throw new IllegalArgumentException("null is not a signal");
    }
    if (s.id() == null || !SIGNAL_ID.matcher(s.id()).matches()) {
      throw new IllegalArgumentException(
          "id is required: 1 to 128 printable characters without spaces, unique per signal");
    }
    if (s.profile() == null || !catalog.profiles().containsKey(s.profile())) {
      throw new IllegalArgumentException(
          "unknown profile '"
              + s.profile()
              + "' (expected one of "
              + String.join(", ", catalog.profiles().keySet().stream().sorted().toList())
              + ")");
    }
    CrmProfile profile = catalog.profile(s.profile());
    if (s.object() == null || profile.object(s.object()).isEmpty()) {
      throw new IllegalArgumentException(
          "profile "
              + s.profile()
              + " reads no object '"
              + s.object()
              + "' (expected one of "
              + String.join(
                  ", ", profile.objects().stream().map(CrmProfile.ObjectSync::name).toList())
              + ")");
    }
    if (s.recordId() == null || !RECORD_ID.matcher(s.recordId()).matches()) {
      throw new IllegalArgumentException("recordId is required: the record's CRM id");
    }
    EngagementSignal.Type type =
        EngagementSignal.Type.ofWire(s.type())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "unknown type '"
                            + s.type()
                            + "' (expected one of "
                            + EngagementSignal.Type.names()
                            + ")"));
    if (s.occurredAt() == null) {
      throw new IllegalArgumentException(
          "occurredAt is required: when the lead did it, e.g. 2026-11-26T09:30:00Z");
    }
    Instant at;
    try {
      at = OffsetDateTime.parse(s.occurredAt()).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "occurredAt '"
              + truncate(s.occurredAt(), 40)
              + "' is not an ISO-8601 time with an offset, e.g. 2026-11-26T09:30:00Z");
    }
    if (at.isAfter(now.plus(clockSkew))) {
      throw new IllegalArgumentException(
          "occurredAt "
              + at
              + " is in the future (AIX's clock says "
              + now
              + "; clocks may differ by "
              + clockSkew.toMinutes()
              + " minutes at most)");
    }
    if (at.isBefore(now.minus(maxAge))) {
      throw new IllegalArgumentException(
          "occurredAt "
              + at
              + " is older than "
              + maxAge.toDays()
              + " days: it no longer counts toward engagement");
    }
    if (s.detail() != null && s.detail().length() > 500) {
      throw new IllegalArgumentException("detail is longer than 500 characters");
    }
    return new SignalStore.Incoming(
        s.id(), s.profile(), s.object(), s.recordId(), type, at, s.detail());
  }

  private static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max);
  }
}

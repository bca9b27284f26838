package io.aix.privacy;

import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmCallException;
import io.aix.lead.LeadKey;
import io.aix.persistence.AuditLog;
import io.aix.persistence.ReactiveBridge;
import io.aix.persistence.SubjectStore;
import io.aix.profile.CrmProfile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Erasure (GDPR art. 17, CCPA deletion) and its order of steps:
 *
 * <ol>
 *   <li>a tombstone (the email's hash) is written under the intake lock, so no poll or webhook
 *       brings them back from here on;
 *   <li>the person's records are found (leads by email; queued and refused raw records too);
 *   <li>if asked, each record is erased in its CRM, where the profile's policy allows it;
 *   <li>every AIX row of those records is deleted; rows a worker is processing at that moment are
 *       waited for and the pass repeated, so nothing a worker writes afterwards survives;
 *   <li>the audit log notes who asked, with the subject hash and the counts only.
 * </ol>
 *
 * Blocking: call it from a worker thread (the API runs it on one).
 */
@ApplicationScoped
public class PrivacyService {
  private static final Logger LOG = Logger.getLogger(PrivacyService.class);

  @Inject SubjectStore store;
  @Inject ConnectorRegistry connectors;
  @Inject AuditLog audit;

  @ConfigProperty(name = "aix.privacy.in-flight-wait", defaultValue = "60s")
  Duration inFlightWait;

  /** What one CRM did with one record. */
  public record CrmErasure(String profile, String object, String crmId, String outcome) {}

  /**
   * The result of an erasure.
   *
   * @param subject the subject hash the tombstone holds, or null when no email was known
   * @param records how many CRM records AIX held on the person
   * @param deleted AIX rows deleted, per table
   * @param crm what each CRM did, when propagation was asked
   * @param inFlight records a worker still held when the wait ran out (0 when complete)
   */
  public record Erasure(
      String subject,
      int records,
      Map<String, Integer> deleted,
      List<CrmErasure> crm,
      int inFlight) {
    public boolean complete() {
      return inFlight == 0 && crm.stream().noneMatch(c -> c.outcome().startsWith("failed"));
    }
  }

  /**
   * Erases everything AIX holds on a person.
   *
   * @param propagate also erase the records in each CRM whose profile allows it
   * @param except a profile not to propagate to (the one that reported the erasure)
   */
  public Erasure erase(Subject subject, boolean propagate, String actor, Optional<String> except) {
    // Tombstone first: from its commit on intake drops the person, so the records found next
    // are all there will be (each purge pass looks again, for what a worker was finishing).
    ReactiveBridge.await(() -> store.tombstone(subject, Instant.now()));
    List<LeadKey> records = ReactiveBridge.await(() -> store.records(subject));
    List<CrmErasure> crm = propagate ? propagate(records, except) : List.of();
    Erasure done = purge(records, Optional.of(subject), crm);
    audit.appendQuietly(
        actor,
        AuditLog.Action.SUBJECT_ERASE,
        "subject:" + subject.hash(),
        summary(done, propagate));
    LOG.infof(
        "Erased %s: %d record(s), %s, in CRMs: %d",
        subject, done.records(), done.deleted(), crm.size());
    return done;
  }

  /**
   * A CRM reported that it erased a record (HubSpot {@code contact.privacyDeletion}): the person is
   * erased from AIX too, and from the other CRMs whose profiles allow it, found by the email AIX
   * stored. Without a stored lead only that record's rows are deleted.
   */
  public Erasure erasedInCrm(LeadKey record, String actor) {
    Optional<Subject> subject =
        ReactiveBridge.await(() -> store.email(record)).flatMap(Subject::parse);
    if (subject.isPresent()) {
      return erase(subject.get(), true, actor, Optional.of(record.profileId()));
    }
    Erasure done = purge(List.of(record), Optional.empty(), List.of());
    audit.appendQuietly(
        actor,
        AuditLog.Action.SUBJECT_ERASE,
        "record:" + Subject.hashOf(record.profileId() + "/" + record.crmId()),
        summary(done, false));
    return done;
  }

  private List<CrmErasure> propagate(List<LeadKey> records, Optional<String> except) {
    List<CrmErasure> out = new ArrayList<>();
    for (LeadKey k : records) {
      if (except.filter(k.profileId()::equals).isPresent()) {
        continue;
      }
      CrmProfile profile;
      try {
        profile = connectors.connector(k.profileId()).profile();
      } catch (RuntimeException e) {
        out.add(
            new CrmErasure(
                k.profileId(), k.crmObject(), k.crmId(), "skipped: profile not connected"));
        continue;
      }
      if (!profile.privacy().eraseInCrm()) {
        out.add(
            new CrmErasure(
                k.profileId(),
                k.crmObject(),
                k.crmId(),
                "kept: the profile's privacy.eraseInCrm is off"));
        continue;
      }
      String outcome;
      try {
        outcome = connectors.connector(k.profileId()).erase(k.crmObject(), k.crmId());
      } catch (CrmCallException e) {
        outcome = "failed: " + e.failure().code() + " " + e.failure().message();
      } catch (UnsupportedOperationException e) {
        outcome = "failed: " + e.getMessage();
      }
      out.add(new CrmErasure(k.profileId(), k.crmObject(), k.crmId(), outcome));
    }
    return out;
  }

  private Erasure purge(List<LeadKey> found, Optional<Subject> subject, List<CrmErasure> crm) {
    Map<String, Integer> deleted = new LinkedHashMap<>();
    java.util.Set<LeadKey> records = new java.util.LinkedHashSet<>(found);
    long deadline = System.nanoTime() + inFlightWait.toNanos();
    SubjectStore.Pass pass;
    while (true) {
      if (subject.isPresent()) {
        records.addAll(ReactiveBridge.await(() -> store.records(subject.get())));
      }
      List<LeadKey> now = List.copyOf(records);
      pass = ReactiveBridge.await(() -> store.erase(now, subject, Instant.now()));
      pass.deleted().forEach((t, n) -> deleted.merge(t, n, Integer::sum));
      if (pass.inFlight() == 0 || System.nanoTime() > deadline) {
        break;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return new Erasure(
        subject.map(Subject::hash).orElse(null), records.size(), deleted, crm, pass.inFlight());
  }

  private static String summary(Erasure e, boolean propagate) {
    StringBuilder b = new StringBuilder();
    b.append(e.records()).append(" record(s); rows deleted ").append(e.deleted());
    if (propagate) {
      Map<String, Long> outcomes = new LinkedHashMap<>();
      e.crm().forEach(c -> outcomes.merge(c.profile() + ": " + c.outcome(), 1L, Long::sum));
      b.append("; in CRMs ").append(outcomes);
    }
    if (e.inFlight() > 0) {
      b.append("; ").append(e.inFlight()).append(" still in a worker's hands: erase again");
    }
    return b.toString();
  }
}

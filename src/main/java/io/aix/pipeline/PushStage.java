package io.aix.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmConnector;
import io.aix.connector.Offset;
import io.aix.lead.CrmRecord;
import io.aix.lead.LeadKey;
import io.aix.mapping.MappingProfile;
import io.aix.persistence.LeadStore;
import io.aix.persistence.PushEventStore;
import io.aix.persistence.PushEventStore.PushEvent;
import io.aix.persistence.ReactiveBridge;
import io.aix.privacy.PrivacyService;
import io.aix.profile.CrmProfile;
import io.aix.profile.LiveCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;

/**
 * Stage {@code push}: turns queued change notices (HubSpot webhooks, Salesforce change events, new
 * engagement signals) into a page of work. A notice names a record, not its data, so the records
 * are read in batches at their current version; a deletion becomes a tombstone without a read. Runs
 * on the leader, like polling, and hands the page to the same checkpoint, which queues it for the
 * workers.
 */
@ApplicationScoped
@Named("pushed")
public class PushStage {
  /** Notices taken per page; their records are read 100 per call. */
  static final int BATCH = 500;

  static final String EVENT_IDS = "aixPushEventIds";

  @Inject ConnectorRegistry connectors;
  @Inject LiveCatalog catalog;
  @Inject LeadStore store;
  @Inject IntakeGate gate;
  @Inject PushEventStore events;
  @Inject PrivacyService privacy;

  public static String streamName(String object) {
    return object + ":push";
  }

  public PollStage.Page nextBatch(Exchange exchange) {
    String profileId = exchange.getMessage().getHeader(PollStage.PROFILE, String.class);
    String object = exchange.getMessage().getHeader(PollStage.OBJECT, String.class);
    CrmProfile profile = catalog.profile(profileId);
    MappingProfile mapping = catalog.mapping(profile.object(object).orElseThrow().mapping());
    List<PushEvent> batch =
        gate.isOpen()
            ? ReactiveBridge.await(() -> events.pending(profileId, object, BATCH))
            : List.of();
    exchange.setProperty(PollStage.MORE, batch.size() == BATCH);
    exchange.setProperty(EVENT_IDS, batch.stream().map(PushEvent::eventId).toList());

    Map<String, PushEvent> deletions = new LinkedHashMap<>();
    Set<String> changed = new LinkedHashSet<>();
    Set<String> erased = new java.util.HashSet<>();
    Set<String> rescore = new java.util.HashSet<>();
    for (PushEvent e : batch) {
      if (e.kind().equals(io.aix.persistence.SignalStore.NOTICE_KIND)) {
        rescore.add(e.crmId());
      }
      if (e.isPrivacyDeletion()) {
        // Erased now, before anything else of this page; nothing of the record is queued.
        privacy.erasedInCrm(
            new LeadKey(profileId, object, e.crmId()), "crm:" + profileId + " privacyDeletion");
        changed.remove(e.crmId());
        deletions.remove(e.crmId());
        erased.add(e.crmId());
      } else if (erased.contains(e.crmId())) {
        continue;
      } else if (e.isDeletion()) {
        deletions.put(e.crmId(), e);
        changed.remove(e.crmId());
      } else if (!deletions.containsKey(e.crmId())) {
        changed.add(e.crmId());
      }
    }
    List<CrmRecord> records = new ArrayList<>();
    if (!changed.isEmpty()) {
      CrmConnector connector = connectors.connector(profileId);
      records.addAll(connector.read(object, mapping, List.copyOf(changed)));
    }
    for (PushEvent d : deletions.values()) {
      records.add(
          new CrmRecord(
              new LeadKey(profileId, object, d.crmId()),
              d.occurredAt(),
              true,
              JsonNodeFactory.instance.objectNode().put("id", d.crmId())));
    }
    records.sort(Comparator.comparing(CrmRecord::modifiedAt).thenComparing(r -> r.key().crmId()));
    String stream = streamName(object);
    Offset offset = ReactiveBridge.await(() -> store.offset(profileId, stream));
    rescore.retainAll(changed);
    PollStage.Page page =
        new PollStage.Page(profileId, object, stream, offset, records, Set.copyOf(rescore));
    exchange.setProperty(PollStage.PAGE, page);
    return page;
  }

  /** After the page's checkpoint: its notices are done. */
  public void done(Exchange exchange) {
    @SuppressWarnings("unchecked")
    List<String> ids = exchange.getProperty(EVENT_IDS, List.class);
    String profileId = exchange.getMessage().getHeader(PollStage.PROFILE, String.class);
    if (ids != null && !ids.isEmpty()) {
      ReactiveBridge.await(() -> events.markProcessed(profileId, ids, Instant.now()));
    }
  }
}

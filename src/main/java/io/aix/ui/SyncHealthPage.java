package io.aix.ui;

import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmConnector;
import io.aix.persistence.ReactiveBridge;
import io.aix.persistence.SyncHealthStore;
import io.aix.profile.CrmProfile;
import io.aix.profile.LiveCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The sync-health page: per profile, leads synced and scored over the last hours, API calls against
 * the budget, errors by type with a sample record, dead letters, the score distribution and a
 * calibration plot of what scores now. Plain HTML with inline SVG: it renders without scripts or
 * anything fetched from elsewhere.
 */
@ApplicationScoped
public class SyncHealthPage {
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("MM-dd").withZone(ZoneOffset.UTC);

  @Inject SyncHealthStore store;
  @Inject LiveCatalog catalog;
  @Inject ConnectorRegistry connectors;
  @Inject io.aix.persistence.DryRunStore dryRuns;

  /** The page, as of now. Blocking: call it off the event loop. */
  public String render() {
    StringBuilder b = new StringBuilder();
    b.append(
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>AIX sync health</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:0;background:#f5f6f8;color:#222}
        header{background:#1b2631;color:#fff;padding:12px 24px}
        h1{font-size:20px;margin:0} h2{font-size:17px;margin:0 0 8px}
        h3{font-size:13px;margin:4px 0;color:#555;text-transform:uppercase;letter-spacing:.04em}
        .profile{background:#fff;margin:16px 24px;padding:16px;border-radius:8px;box-shadow:0 1px 3px #0002}
        .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px}
        .chart{width:100%;height:auto;background:#fcfcfd;border:1px solid #eee}
        .totals span{display:inline-block;margin-right:18px;font-size:14px}
        .totals b{font-size:20px;display:block}
        table{border-collapse:collapse;width:100%;font-size:13px}
        td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
        .legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
        .ok{color:#1e8449}.bad{color:#c0392b}
        </style></head><body>
        <header><h1>AIX sync health</h1></header>
        """);
    Instant now = Instant.now();
    for (CrmProfile profile :
        catalog.profiles().values().stream()
            .sorted(java.util.Comparator.comparing(CrmProfile::id))
            .toList()) {
      section(b, profile, now);
    }
    b.append("<footer style=\"margin:16px 24px;color:#777;font-size:12px\">Rendered ")
        .append(now)
        .append(" by AIX</footer></body></html>\n");
    return b.toString();
  }

  private void section(StringBuilder b, CrmProfile profile, Instant now) {
    String id = profile.id();
    SyncHealthStore.Totals totals = ReactiveBridge.await(() -> store.totals(id));
    b.append("<section class=\"profile\" id=\"profile-")
        .append(Svg.esc(id))
        .append("\"><h2>")
        .append(Svg.esc(id))
        .append(" <small>(")
        .append(Svg.esc(profile.type()))
        .append(")</small></h2><div class=\"totals\">");
    total(b, "leads", totals.leads());
    total(b, "scored", totals.scored());
    total(b, "written back", totals.written());
    total(b, "queued", totals.queued());
    total(b, "open dead letters", totals.openDeadLetters());
    total(b, "in bulk jobs", totals.bulkWaiting());
    b.append("</div>");
    progress(b, id, totals);
    b.append("<div class=\"grid\">");

    Duration step = Duration.ofMinutes(15);
    List<SyncHealthStore.Bucket> activity =
        ReactiveBridge.await(() -> store.activity(id, now, step, 24 * 4));
    // Show from the first bucket with anything in it, so a young install is not a flat line.
    int first = 0;
    while (first < activity.size() - 12
        && activity.get(first).synced() == 0
        && activity.get(first).scored() == 0) {
      first++;
    }
    List<SyncHealthStore.Bucket> shown = activity.subList(first, activity.size());
    b.append("<div><h3>Leads synced and scored, per 15 minutes (UTC)</h3>")
        .append("<div class=\"legend\"><i style=\"background:#2e86c1\"></i>synced")
        .append("<i style=\"background:#28b463\"></i>scored</div>")
        .append(
            Svg.lines(
                "activity-" + id,
                "leads synced and scored",
                shown.stream().map(SyncHealthStore.Bucket::synced).toList(),
                "#2e86c1",
                shown.stream().map(SyncHealthStore.Bucket::scored).toList(),
                "#28b463",
                shown.stream().map(x -> HOUR.format(x.start())).toList()))
        .append("</div>");

    List<SyncHealthStore.UsageWindow> usage = ReactiveBridge.await(() -> store.usage(id, 14));
    long budget = profile.limits().dailyApiBudget();
    CrmConnector.ApiUsage live = null;
    try {
      live = connectors.connector(id).apiUsage();
    } catch (RuntimeException e) {
      // no connector yet (not started): the ledger alone
    }
    b.append("<div><h3>API calls per budget window, against the budget of ")
        .append(budget)
        .append("</h3>")
        .append(
            Svg.bars(
                "usage-" + id,
                "API calls against budget",
                usage.stream().map(SyncHealthStore.UsageWindow::calls).toList(),
                usage.stream().map(u -> DAY.format(u.start())).toList(),
                "#8e44ad",
                budget));
    long spent = usage.isEmpty() ? 0 : usage.get(usage.size() - 1).calls();
    b.append("<p class=\"budget\">This window: ")
        .append(spent)
        .append(" of ")
        .append(budget)
        .append(
            String.format(
                java.util.Locale.ROOT, " (%.1f%%)", budget == 0 ? 0.0 : 100.0 * spent / budget))
        .append("</p>");
    if (live != null && live.orgLimit() > 0) {
      b.append("<p>The CRM reports ")
          .append(live.orgUsed())
          .append(" of ")
          .append(live.orgLimit())
          .append(" calls used today by every integration.</p>");
    }
    b.append("</div>");

    long[] histogram = ReactiveBridge.await(() -> store.scoreHistogram(id));
    List<Long> bins = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < histogram.length; i++) {
      bins.add(histogram[i]);
      labels.add(i * 10 + "-" + (i == 9 ? 100 : i * 10 + 9));
    }
    b.append("<div><h3>Score distribution</h3>")
        .append(Svg.bars("scores-" + id, "score distribution", bins, labels, "#d35400", 0))
        .append("</div>");

    List<SyncHealthStore.CalibrationBin> calibration =
        ReactiveBridge.await(() -> store.calibration(id));
    List<double[]> points =
        calibration.stream()
            .map(c -> new double[] {c.predicted(), c.observed(), c.leads()})
            .toList();
    b.append("<div><h3>Calibration of the current scores (leads with a known outcome)</h3>")
        .append(Svg.calibration("calibration-" + id, "calibration", points))
        .append("</div></div>");

    List<SyncHealthStore.ErrorType> errors = ReactiveBridge.await(() -> store.errors(id));
    b.append("<h3>Errors by type</h3>");
    if (errors.isEmpty()) {
      b.append("<p class=\"ok\">No dead letters.</p>");
    } else {
      b.append(
          "<table class=\"errors\"><tr><th>stage</th><th>error</th><th>total</th><th>open</th>"
              + "<th>sample record</th><th>its reason</th></tr>");
      for (SyncHealthStore.ErrorType e : errors) {
        String reason = e.sampleReason() == null ? "" : e.sampleReason();
        if (reason.length() > 300) {
          reason = reason.substring(0, 300) + "...";
        }
        b.append("<tr><td>")
            .append(Svg.esc(e.stage()))
            .append("</td><td>")
            .append(Svg.esc(e.code()))
            .append("</td><td>")
            .append(e.total())
            .append("</td><td class=\"")
            .append(e.open() > 0 ? "bad" : "ok")
            .append("\">")
            .append(e.open())
            .append("</td><td>")
            .append(Svg.esc(e.sampleRecord()))
            .append("</td><td>")
            .append(Svg.esc(reason))
            .append("</td></tr>");
      }
      b.append("</table>");
    }
    if (profile.writeback().dryRun()) {
      dryRun(b, id);
    }
    b.append("</section>");
  }

  /** A dry-run profile: what it would have written, newest first. */
  private void dryRun(StringBuilder b, String id) {
    long recorded = ReactiveBridge.await(() -> dryRuns.count(id));
    List<io.aix.persistence.DryRunStore.Entry> entries =
        ReactiveBridge.await(() -> dryRuns.latest(id, 20));
    b.append("<h3 id=\"dry-run-")
        .append(Svg.esc(id))
        .append("\">Dry run: nothing is written; ")
        .append(recorded)
        .append(" would-be write(s) recorded</h3>");
    if (entries.isEmpty()) {
      return;
    }
    b.append(
        "<table class=\"dry-run\"><tr><th>record</th><th>version</th><th>would change</th>"
            + "<th>would create task</th></tr>");
    for (io.aix.persistence.DryRunStore.Entry e : entries) {
      StringBuilder changes = new StringBuilder();
      e.changes()
          .fields()
          .forEachRemaining(
              f ->
                  changes
                      .append(Svg.esc(f.getKey()))
                      .append(": ")
                      .append(Svg.esc(f.getValue().path("before").asText("-")))
                      .append(" &rarr; ")
                      .append(Svg.esc(f.getValue().path("after").asText()))
                      .append("<br>"));
      b.append("<tr><td>")
          .append(Svg.esc(e.crmObject() + " " + e.crmId()))
          .append("</td><td>")
          .append(e.scoreVersion())
          .append("</td><td>")
          .append(changes)
          .append("</td><td>")
          .append(Svg.esc(e.task() == null ? "" : e.task()))
          .append("</td></tr>");
    }
    b.append("</table>");
  }

  /**
   * A running backfill or re-score: how much of the work in flight is done (scores in the CRM of
   * those plus the records still queued or waiting for a bulk job).
   */
  private static void progress(StringBuilder b, String id, SyncHealthStore.Totals totals) {
    if (totals.inFlight() == 0) {
      return;
    }
    long all = totals.written() + totals.inFlight();
    b.append("<div class=\"progress\" id=\"progress-")
        .append(Svg.esc(id))
        .append("\" style=\"margin:8px 0\"><label>Sync running: ")
        .append(
            String.format(
                "%,d of %,d records done (%.1f%%), %,d queued, %,d in bulk jobs",
                totals.written(),
                all,
                100.0 * totals.written() / all,
                totals.queued(),
                totals.bulkWaiting()))
        .append("</label> <progress max=\"")
        .append(all)
        .append("\" value=\"")
        .append(totals.written())
        .append("\"></progress></div>");
  }

  private static void total(StringBuilder b, String label, long value) {
    b.append("<span><b>").append(value).append("</b>").append(Svg.esc(label)).append("</span>");
  }
}

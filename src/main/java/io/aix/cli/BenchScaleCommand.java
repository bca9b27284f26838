package io.aix.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.bench.ScaleBench;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "scale",
    mixinStandardHelpOptions = true,
    description =
        "A backfill of --leads leads per CRM (--crm salesforce, hubspot or both at once) until"
            + " every score is readable in its CRM, then a model promotion that re-scores them"
            + " all: AIX as a real process (the packaged application) on sandbox CRMs in this"
            + " process that answer each API call after --api-latency-ms, run Bulk API 2.0 jobs"
            + " in --job-start-ms plus --job-ms-per-10k per 10,000 records, and HubSpot imports"
            + " and exports in --job-start-ms plus --hs-rows-per-s. A user changes one lead a"
            + " second during the backfill (Salesforce: change data capture; HubSpot: the 15 s"
            + " poll), each timed until its score is in the CRM. Prints"
            + " progress on standard error and ends with one JSON line. Needs PostgreSQL on"
            + " AIX_DB_HOST (default 127.0.0.1) with the right to create a database.")
public class BenchScaleCommand implements Callable<Integer> {
  @Option(names = "--leads", defaultValue = "1000000", description = "Leads in the org.")
  int leads;

  @Option(
      names = "--crm",
      defaultValue = "salesforce",
      description = "salesforce, hubspot, or both (the two CRMs in one run, N leads each).")
  String crm;

  @Option(
      names = "--api-latency-ms",
      defaultValue = "120",
      description = "The org's answer time per REST call (Salesforce in-region: about 100-200 ms).")
  int apiLatencyMs;

  @Option(
      names = "--job-start-ms",
      defaultValue = "2000",
      description = "A Bulk API 2.0 job's fixed start.")
  int jobStartMs;

  @Option(
      names = "--job-ms-per-10k",
      defaultValue = "1000",
      description = "A Bulk API 2.0 job's time per 10,000 records.")
  int jobPer10kMs;

  @Option(
      names = "--hs-rows-per-s",
      defaultValue = "926",
      description =
          "A HubSpot import's or export's rows per second (HubSpot publishes none; 926 is the"
              + " slowest rate that honours its 80,000,000 imported rows a day).")
  double hsRowsPerSecond;

  @Option(
      names = "--heap-mb",
      defaultValue = "1024",
      description = "The AIX process's heap limit (-Xmx): the goal is to run within 1 GB.")
  int heapMb;

  @ConfigProperty(name = "aix.config-dir", defaultValue = ".")
  String configDir;

  @Override
  public Integer call() throws Exception {
    if (!java.util.Set.of("salesforce", "hubspot", "both").contains(crm)) {
      System.err.println("bench scale: --crm takes salesforce, hubspot or both, not " + crm);
      return 2;
    }
    boolean salesforce = !crm.equals("hubspot");
    boolean hubspot = !crm.equals("salesforce");
    ScaleBench bench =
        new ScaleBench(
            Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath(),
            Path.of(configDir).toAbsolutePath(),
            System.getenv().getOrDefault("AIX_DB_HOST", "127.0.0.1"),
            Integer.parseInt(System.getenv().getOrDefault("AIX_DB_PORT", "5432")),
            System.getenv().getOrDefault("AIX_DB_USER", "postgres"),
            System.err,
            salesforce);
    ScaleBench.Result r =
        bench.run(
            new ScaleBench.Settings(
                leads,
                Duration.ofMillis(apiLatencyMs),
                Duration.ofMillis(jobStartMs),
                Duration.ofMillis(jobPer10kMs),
                heapMb,
                salesforce,
                hubspot,
                hsRowsPerSecond));
    System.out.printf(
        "sandbox CRMs: %d ms per API call; Bulk API 2.0 jobs %d ms + %d ms per 10,000 records;"
            + " HubSpot imports/exports %d ms + %.0f rows/s%n",
        apiLatencyMs, jobStartMs, jobPer10kMs, jobStartMs, hsRowsPerSecond);
    System.out.printf(
        "backfill: %,d leads per CRM in %.0f s, API calls %s; re-score: %.0f s, API calls %s%n",
        r.leads(), r.seconds(), r.apiCalls(), r.rescoreSeconds(), r.rescoreApiCalls());
    r.paths()
        .forEach((phase, kinds) -> System.out.printf("calls by kind (%s): %s%n", phase, kinds));
    System.out.printf(
        "AIX process (-Xmx%d m): %.3f ms CPU per lead (backfill and re-score), heap max %d MB, RSS"
            + " max %d MB;"
            + " %d changes during the backfill, p99 %.2f s from change to score%n",
        heapMb,
        r.aixCpuMsPerLead(),
        r.heapMaxMb(),
        r.rssMaxMb(),
        r.cdcChanges(),
        r.cdcP99Seconds());
    ObjectMapper json = new ObjectMapper();
    ObjectNode line = json.createObjectNode();
    line.put("leads", r.leads());
    line.put("seconds", Math.round(r.seconds() * 10) / 10.0);
    line.put("leads_per_s", Math.round(r.leads() * (salesforce && hubspot ? 2 : 1) / r.seconds()));
    line.put("aix_cpu_ms_per_lead", Math.round(r.aixCpuMsPerLead() * 1000) / 1000.0);
    // The same, in multiples of this machine's CPU to read and write one record's JSON,
    // measured in this run (CpuBaseline): comparable across machines and busy runs.
    line.put(
        "baseline_cpu_ms_per_record", Math.round(r.baselineCpuMsPerRecord() * 10000) / 10000.0);
    line.put(
        "aix_cpu_per_lead_in_baselines",
        Math.round(r.aixCpuMsPerLead() / r.baselineCpuMsPerRecord() * 10) / 10.0);
    line.put("heap_max_mb", r.heapMaxMb());
    line.put("rss_max_mb", r.rssMaxMb());
    ObjectNode calls = line.putObject("api_calls");
    r.apiCalls().forEach(calls::put);
    line.put("rescore_seconds", Math.round(r.rescoreSeconds() * 10) / 10.0);
    ObjectNode rescoreCalls = line.putObject("rescore_api_calls");
    r.rescoreApiCalls().forEach(rescoreCalls::put);
    line.put("cdc_p99_s_during_backfill", Math.round(r.cdcP99Seconds() * 100) / 100.0);
    line.put("lost", r.lost());
    line.put("duplicates", r.duplicates());
    System.out.println(line);
    return r.lost() == 0 && r.duplicates() == 0 ? 0 : 1;
  }
}

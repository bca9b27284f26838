package io.aix.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.bench.FaultBench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "faults",
    mixinStandardHelpOptions = true,
    description =
        "The reliability suite against AIX as a real process (the packaged application), an"
            + " in-process sandbox org and a database of its own: (a) SIGKILL at random points of"
            + " a run, restarted each time; (b) a share of API calls failing (429, 503, resets,"
            + " timeouts) against a fault-free run; (c) PostgreSQL restarted mid-run (needs"
            + " pg_ctlcluster on this machine); (d) fuzzed records. Needs PostgreSQL on"
            + " AIX_DB_HOST (default 127.0.0.1) with the right to create a database.")
public class BenchFaultsCommand implements Callable<Integer> {
  @Option(names = "--leads", defaultValue = "10000", description = "Leads of the kill run (a).")
  int leads;

  @Option(names = "--kills", defaultValue = "10", description = "SIGKILLs during run (a).")
  int kills;

  @Option(names = "--fault-leads", defaultValue = "5000", description = "Leads of each run of (b).")
  int faultLeads;

  @Option(
      names = "--fault-rate",
      defaultValue = "0.2",
      description = "Share of API calls that fail in (b).")
  double faultRate;

  @Option(names = "--pg-leads", defaultValue = "3000", description = "Leads of run (c).")
  int pgLeads;

  @Option(names = "--fuzzed", defaultValue = "10000", description = "Fuzzed records of (d).")
  int fuzzed;

  @ConfigProperty(name = "aix.config-dir", defaultValue = ".")
  String configDir;

  @Override
  public Integer call() throws Exception {
    FaultBench bench =
        new FaultBench(
            Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath(),
            Path.of(configDir).toAbsolutePath(),
            System.getenv().getOrDefault("AIX_DB_HOST", "127.0.0.1"),
            Integer.parseInt(System.getenv().getOrDefault("AIX_DB_PORT", "5432")),
            System.getenv().getOrDefault("AIX_DB_USER", "postgres"),
            System.err);
    FaultBench.Result r =
        bench.run(new FaultBench.Scale(leads, kills, faultLeads, faultRate, pgLeads, fuzzed));
    System.out.printf(
        "(a) %d SIGKILLs during %d leads: lost %d, duplicate writes %d (%.1f s)%n",
        r.kills().kills(),
        r.kills().leads(),
        r.kills().lost(),
        r.kills().duplicates(),
        r.kills().seconds());
    System.out.printf(
        "(b) %.0f%% of calls failing, %d leads (writes of 20): all written but %d; %d API calls"
            + " against %d fault-free (ratio %.2f)%n",
        r.faults().rate() * 100,
        r.faults().leads(),
        r.faults().lost(),
        r.faults().faultyCalls(),
        r.faults().cleanCalls(),
        r.faults().callsRatio());
    System.out.println(
        r.pg().skipped() != null
            ? "(c) PostgreSQL restart: skipped (" + r.pg().skipped() + ")"
            : String.format(
                "(c) PostgreSQL restarted mid-run, %d leads: reconnected, lost %d, %.1f s",
                r.pg().leads(), r.pg().lost(), r.pg().seconds()));
    System.out.printf(
        "(d) %d fuzzed records: %d dead-lettered with a reason, %d scored, %d misclassified, %d"
            + " unaccounted, %d crashes%n",
        r.fuzz().fuzzed(),
        r.fuzz().deadLettered(),
        r.fuzz().scored(),
        r.fuzz().misclassified(),
        r.fuzz().unaccounted(),
        r.fuzz().crashes());
    ObjectNode line = new ObjectMapper().createObjectNode();
    line.put("kills", r.kills().kills());
    line.put("lost", r.lost());
    line.put("duplicates", r.duplicates());
    line.put("fault_rate", r.faults().rate());
    line.put("calls_ratio", Math.round(r.faults().callsRatio() * 100) / 100.0);
    line.put("fuzzed", r.fuzz().fuzzed());
    line.put("fuzz_dead_lettered", r.fuzz().deadLettered());
    line.put("crashes", r.fuzz().crashes());
    line.put("fuzz_misclassified", r.fuzz().misclassified());
    line.put(
        "pg_restart_s", r.pg().skipped() != null ? -1 : Math.round(r.pg().seconds() * 10) / 10.0);
    System.out.println(line);
    boolean ok =
        r.lost() == 0
            && r.duplicates() == 0
            && r.fuzz().crashes() == 0
            && r.fuzz().misclassified() == 0
            && r.faults().callsRatio() <= 1.3;
    return ok ? 0 : 1;
  }
}

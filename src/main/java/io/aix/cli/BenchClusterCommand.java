package io.aix.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.bench.ClusterBench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description =
        "Starts AIX processes (the packaged application) against one PostgreSQL and one shared"
            + " sandbox org, with the file lock cluster service: times N leads with one process and"
            + " with three, checks that one of the three polls, kills it with SIGKILL and times the"
            + " takeover, counts the processes that scored queued leads, then lost leads and"
            + " duplicate writes; then times one process and three again with every CRM call"
            + " slowed down (latency-bound, where replicas should help). Needs PostgreSQL on"
            + " AIX_DB_HOST (default 127.0.0.1) with the right to create a database.")
public class BenchClusterCommand implements Callable<Integer> {
  @Option(names = "--leads", defaultValue = "2000", description = "Leads per phase.")
  int leads;

  @Option(
      names = "--latency-leads",
      description = "Leads per phase of the latency-bound timing. Default: --leads.")
  Integer latencyLeads;

  @Option(
      names = "--latency-ms",
      defaultValue = "250",
      description =
          "Added to every CRM call in the latency-bound timing (a remote org answers in"
              + " 100-500 ms). Default: 250.")
  int latencyMillis;

  @ConfigProperty(name = "aix.config-dir", defaultValue = ".")
  String configDir;

  @Override
  public Integer call() throws Exception {
    Path jar = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
    ClusterBench bench =
        new ClusterBench(
            jar,
            Path.of(configDir).toAbsolutePath(),
            System.getenv().getOrDefault("AIX_DB_HOST", "127.0.0.1"),
            Integer.parseInt(System.getenv().getOrDefault("AIX_DB_PORT", "5432")),
            System.getenv().getOrDefault("AIX_DB_USER", "postgres"),
            System.err);
    ClusterBench.Result r =
        bench.run(leads, latencyLeads == null ? leads : latencyLeads, latencyMillis);
    ClusterBench.LatencyBound lb = r.latencyBound();
    System.out.printf(
        "%d leads: one process %.2f s, three processes %.2f s (throughput ratio %.2f)%n",
        leads, r.oneProcessSeconds(), r.threeProcessSeconds(), r.throughputRatio());
    System.out.printf("leaders: %d of 3 processes polled%n", r.leaders());
    System.out.printf("workers: %d of 3 processes scored queued leads%n", r.workers());
    System.out.printf(
        "takeover after SIGKILL of the poller: %.2f s to new leads scored%n", r.takeoverSeconds());
    System.out.printf("lost: %d, duplicates: %d%n", r.lost(), r.duplicates());
    System.out.printf(
        "%d leads, every CRM call %d ms slower, batches of 5: one process %.2f s, three"
            + " processes %.2f s (throughput ratio %.2f); lost: %d, duplicates: %d%n",
        lb.leads(),
        lb.latencyMillis(),
        lb.oneProcessSeconds(),
        lb.threeProcessSeconds(),
        lb.throughputRatio(),
        lb.lost(),
        lb.duplicates());
    ObjectNode line = new ObjectMapper().createObjectNode();
    line.put("takeover_s", Math.round(r.takeoverSeconds() * 100) / 100.0);
    line.put("lost", r.lost());
    line.put("duplicates", r.duplicates());
    line.put("throughput_ratio_3v1", Math.round(r.throughputRatio() * 100) / 100.0);
    line.put("throughput_ratio_3v1_latency_bound", Math.round(lb.throughputRatio() * 100) / 100.0);
    line.put("leaders", r.leaders());
    line.put("workers", r.workers());
    System.out.println(line);
    boolean clean = r.lost() == 0 && r.duplicates() == 0 && lb.lost() == 0 && lb.duplicates() == 0;
    return clean && r.leaders() == 1 ? 0 : 1;
  }
}

package io.aix.cli;

import picocli.CommandLine.Command;

/** {@code ./aix bench <what>}: benchmarks that print figures, never timed unit tests. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks; each prints its figures and ends with one JSON line.",
    subcommands = {
      BenchModelCommand.class,
      BenchClusterCommand.class,
      BenchFaultsCommand.class,
      BenchLatencyCommand.class,
      BenchScaleCommand.class
    })
public class BenchCommand {}

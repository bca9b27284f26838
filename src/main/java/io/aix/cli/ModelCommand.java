package io.aix.cli;

import io.aix.model.ModelSchedule;
import io.aix.model.ModelTrainer;
import io.aix.persistence.ModelStore;
import io.aix.persistence.ReactiveBridge;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./aix model}: train now, and list the registry. */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "Predictive models: train one now, or list the registry.",
    subcommands = {ModelCommand.Train.class, ModelCommand.ListVersions.class})
public class ModelCommand {

  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description =
          "Trains a challenger from the stored history of one profile and object and promotes it"
              + " when it is at least as good as the champion. Exit 0 promoted, 3 not promoted.")
  static class Train implements Callable<Integer> {
    @Option(names = "--profile", required = true, description = "CRM profile id.")
    String profile;

    @Option(names = "--object", required = true, description = "CRM object, e.g. Lead.")
    String object;

    @Inject ModelSchedule schedule;

    @Override
    public Integer call() {
      ModelTrainer.Outcome outcome =
          schedule
              .trainIfFirst(profile, object)
              .orElseThrow(() -> new IllegalStateException("another replica is training it now"));
      System.out.println(outcome.reason());
      outcome
          .version()
          .ifPresent(v -> System.out.println("version " + v.version() + ": " + v.metrics()));
      return outcome.promoted() ? 0 : 3;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Every registered version of one profile's object models, with its figures.")
  static class ListVersions implements Callable<Integer> {
    @Option(names = "--profile", required = true, description = "CRM profile id.")
    String profile;

    @Option(names = "--object", required = true, description = "CRM object, e.g. Lead.")
    String object;

    @Inject ModelStore store;

    @Override
    public Integer call() {
      List<ModelStore.Stored> versions =
          ReactiveBridge.await(() -> store.versions(profile, object));
      System.out.printf(
          "%-4s %-20s %-10s %-20s %s%n", "v", "algorithm", "status", "trained", "why");
      for (ModelStore.Stored v : versions) {
        System.out.printf(
            "%-4d %-20s %-10s %-20s %s%n      %s%n",
            v.version(), v.algorithm(), v.status(), v.trainedAt(), v.reason(), v.metrics());
      }
      return 0;
    }
  }
}

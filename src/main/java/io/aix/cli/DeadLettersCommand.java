package io.aix.cli;

import io.aix.persistence.DeadLetterEntity;
import io.aix.persistence.DeadLetterStore;
import io.aix.persistence.ReactiveBridge;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./aix dead-letters}: what AIX refused, why, and another go once the cause is fixed. */
@Command(
    name = "dead-letters",
    mixinStandardHelpOptions = true,
    description =
        "Records AIX refused (a stage's reason or the CRM's error code, with the original"
            + " payload): list them, show one, replay one, several or all of a profile.",
    subcommands = {
      DeadLettersCommand.ListLetters.class,
      DeadLettersCommand.Show.class,
      DeadLettersCommand.Replay.class
    })
public class DeadLettersCommand {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Newest first.")
  static class ListLetters implements Callable<Integer> {
    @Option(names = "--profile", description = "Only this CRM profile.")
    String profile;

    @Option(names = "--all", description = "Include replayed ones.")
    boolean all;

    @Option(names = "--limit", defaultValue = "50", description = "At most this many.")
    int limit;

    @Inject DeadLetterStore store;

    @Override
    public Integer call() {
      List<DeadLetterEntity> letters = ReactiveBridge.await(() -> store.list(profile, all, limit));
      System.out.printf(
          "%-8s %-18s %-10s %-20s %-10s %-34s %s%n",
          "id", "profile", "object", "record", "stage", "code", "reason");
      for (DeadLetterEntity d : letters) {
        System.out.printf(
            "%-8d %-18s %-10s %-20s %-10s %-34s %s%s%n",
            d.id,
            d.profileId,
            d.crmObject,
            d.crmId,
            d.stage,
            d.errorCode,
            shorten(d.reason, 120),
            d.replayedAt == null ? "" : " (replayed " + d.replayedAt + ")");
      }
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "One, with its payload.")
  static class Show implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "The dead letter's id.")
    long id;

    @Inject DeadLetterStore store;

    @Override
    public Integer call() {
      return ReactiveBridge.await(() -> store.get(id))
          .map(
              d -> {
                System.out.println("id:        " + d.id);
                System.out.println("record:    " + d.profileId + " " + d.crmObject + " " + d.crmId);
                System.out.println("version:   " + d.crmModifiedAt);
                System.out.println("stage:     " + d.stage);
                System.out.println("code:      " + d.errorCode);
                System.out.println("reason:    " + d.reason);
                System.out.println("at:        " + d.createdAt);
                System.out.println("replayed:  " + (d.replayedAt == null ? "no" : d.replayedAt));
                System.out.println("payload:   " + d.payload);
                return 0;
              })
          .orElseGet(
              () -> {
                System.err.println("aix: no dead letter " + id);
                return 2;
              });
    }
  }

  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description =
          "Puts dead letters back into the work queue as the version they were, once their cause"
              + " is fixed (a mapping, a CRM validation rule). One that fails again comes back as a"
              + " new dead letter; one whose record AIX has processed a newer version of since is"
              + " marked replayed without being queued.")
  static class Replay implements Callable<Integer> {
    @Parameters(paramLabel = "ID", arity = "0..*", description = "Dead letters to replay.")
    List<Long> ids = List.of();

    @Option(
        names = "--profile",
        description = "With no ids: replay every open one of this profile.")
    String profile;

    @Inject DeadLetterStore store;

    @Override
    public Integer call() {
      if (ids.isEmpty() && profile == null) {
        System.err.println("aix: name dead letter ids, or --profile to replay all of a profile");
        return 2;
      }
      int queued = ReactiveBridge.await(() -> store.replay(profile, ids, Instant.now()));
      System.out.println(queued + " record(s) back in the work queue");
      return 0;
    }
  }

  private static String shorten(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}

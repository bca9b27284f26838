package io.aix.persistence;

import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The one place where blocking code (Camel processors on worker threads) waits for reactive
 * persistence. Everything else stays reactive. Never call this from an event-loop thread.
 *
 * <p>The wait ignores interrupts until the database answers (the interrupt is kept for the caller
 * to see afterwards): the per-CRM guard's timeout interrupts a thread that runs over, and one
 * caught inside a database call (the API budget's ledger, say) must not abandon a transaction
 * half-way on its connection. A call that has not finished after {@link #LIMIT_MINUTES} minutes
 * fails instead of waiting for ever.
 */
public final class ReactiveBridge {
  static final long LIMIT_MINUTES = 5;

  private ReactiveBridge() {}

  public static <T> T await(Supplier<Uni<T>> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    // Deferred: a supplier that throws fails the wait at once (thrown on the context, it was
    // swallowed there, and the caller waited out the whole limit for an answer never coming).
    VertxContextSupport.<T>subscribe(
        () -> Uni.createFrom().<T>deferred(work::get).toMulti(),
        s -> s.with(result::complete, result::completeExceptionally, () -> result.complete(null)));
    boolean interrupted = false;
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(LIMIT_MINUTES);
      while (true) {
        try {
          return result.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException r) {
            throw r;
          }
          if (cause instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
          throw new IllegalStateException(
              "a database call did not finish within " + LIMIT_MINUTES + " minutes", e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

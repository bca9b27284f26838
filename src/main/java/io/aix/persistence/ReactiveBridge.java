package io.aix.persistence;

import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import java.util.function.Supplier;

/**
 * The one place where blocking code (Camel processors on worker threads) waits for reactive
 * persistence. Everything else stays reactive. Never call this from an event-loop thread.
 */
public final class ReactiveBridge {
  private ReactiveBridge() {}

  public static <T> T await(Supplier<Uni<T>> work) {
    try {
      return VertxContextSupport.subscribeAndAwait(work);
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}

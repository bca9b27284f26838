package io.aix.persistence;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

/** The bridge from blocking callers to reactive persistence passes failures on as they are. */
@QuarkusTest
class ReactiveBridgeTest {
  @Test
  void aSupplierThatThrowsFailsTheCallerWithItsOwnException() {
    // Before, such a failure was swallowed on the Vert.x context and the caller waited out the
    // bridge's five-minute limit, then saw a timeout instead of the cause.
    assertThatThrownBy(
            () ->
                ReactiveBridge.<Void>await(
                    () -> {
                      throw new IllegalArgumentException("no window given");
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no window given");
  }

  @Test
  void aFailedUniFailsTheCallerWithItsCause() {
    assertThatThrownBy(
            () ->
                ReactiveBridge.await(
                    () -> Uni.createFrom().failure(new IllegalStateException("refused"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("refused");
  }
}

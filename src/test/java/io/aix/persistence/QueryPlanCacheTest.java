package io.aix.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.reactive.mutiny.Mutiny;
import org.junit.jupiter.api.Test;

/**
 * Hibernate's query plan cache is off (application.properties says why): with it on, the 50 runs of
 * one native select below left 50 plans under the same hash, none of which a later lookup matched,
 * and each lookup walked them all.
 */
@QuarkusTest
class QueryPlanCacheTest {
  @Inject Mutiny.SessionFactory sessions;

  @Test
  void nativeSelectsLeaveNoPlanBehind() throws ReflectiveOperationException {
    for (int i = 0; i < 50; i++) {
      assertThat(
              ReactiveBridge.await(
                  () -> NativeSql.<Object>list("select 1 where 1 = :one", Map.of("one", 1))))
          .hasSize(1);
    }
    // Hibernate Reactive's factory wraps the ORM one; Quarkus registers it nowhere to look up.
    Object factory = io.quarkus.arc.ClientProxy.unwrap(sessions);
    java.lang.reflect.Field delegate = factory.getClass().getDeclaredField("delegate");
    delegate.setAccessible(true);
    var cache =
        ((SessionFactoryImplementor) delegate.get(factory))
            .getQueryEngine()
            .getInterpretationCache();
    assertThat(cache.getNumberOfCachedQueryPlans()).as(cache.getClass().getName()).isZero();
  }
}

package io.aix.connector;

import io.aix.persistence.ApiUsageLedger;
import io.aix.profile.LiveCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The {@link ApiBudget} of each profile, counted in PostgreSQL so replicas share one budget. */
@ApplicationScoped
public class ApiBudgets {
  @Inject LiveCatalog catalog;
  @Inject ApiUsageLedger ledger;

  /** The budget window: a UTC day, as {@code dailyApiBudget} says. */
  @ConfigProperty(name = "aix.budget.window", defaultValue = "P1D")
  Duration window;

  private final Map<String, ApiBudget> budgets = new ConcurrentHashMap<>();
  private volatile Clock clock = Clock.systemUTC();

  public ApiBudget budget(String profileId) {
    return budget(catalog.profile(profileId));
  }

  public ApiBudget budget(io.aix.profile.CrmProfile profile) {
    return budgets.computeIfAbsent(
        profile.id(),
        id -> new ApiBudget(id, profile.limits().dailyApiBudget(), window, () -> clock, ledger));
  }

  /** For tests: the clock that decides which window it is. */
  public void useClock(Clock clock) {
    this.clock = clock;
  }

  /**
   * Forgets what each budget learned in memory (a spent window, the CRM's figures); the counts in
   * PostgreSQL stay. For tests that reset the sandbox org between cases.
   */
  public void forget() {
    budgets.values().forEach(ApiBudget::forget);
  }
}

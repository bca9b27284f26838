package io.aix.profile;

import io.aix.mapping.MappingProfile;
import io.aix.scoring.ScoringProfile;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The configuration in force: the {@link ConfigCatalog} AIX started with, or the last valid one
 * {@link ConfigWatcher} loaded since. Stages ask it on every record, so a reloaded mapping or
 * scoring profile takes effect on the next record; an invalid change never gets here.
 */
public class LiveCatalog {
  private final AtomicReference<ConfigCatalog> current;
  private final AtomicLong version = new AtomicLong(1);

  public LiveCatalog(ConfigCatalog initial) {
    this.current = new AtomicReference<>(initial);
  }

  /** For CDI's client proxy only. */
  protected LiveCatalog() {
    this.current = new AtomicReference<>();
  }

  public ConfigCatalog current() {
    return current.get();
  }

  /** 1 at start, one more for each applied reload. */
  public long version() {
    return version.get();
  }

  void replace(ConfigCatalog next) {
    current.set(next);
    version.incrementAndGet();
  }

  public Map<String, CrmProfile> profiles() {
    return current().profiles();
  }

  public Map<String, MappingProfile> mappings() {
    return current().mappings();
  }

  public Map<String, ScoringProfile> scoringProfiles() {
    return current().scoringProfiles();
  }

  public CrmProfile profile(String id) {
    return current().profile(id);
  }

  public MappingProfile mapping(String id) {
    return current().mapping(id);
  }

  public ScoringProfile scoring(String id) {
    return current().scoring(id);
  }
}

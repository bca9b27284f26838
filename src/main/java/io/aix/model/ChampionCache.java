package io.aix.model;

import io.aix.persistence.ModelStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.profile.LiveCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import org.tribuo.Model;

/**
 * The champion of each profile and object, loaded from the registry and kept for a short while, so
 * that a promotion on another replica reaches this one within {@link #TTL}. A champion that cannot
 * be read, or was trained on other feature groups than the mapping now feeds, does not score: the
 * rules scorer does, and the log says why.
 */
@ApplicationScoped
public class ChampionCache {
  static final Duration TTL = Duration.ofSeconds(30);
  private static final Logger LOG = Logger.getLogger(ChampionCache.class);

  @Inject ModelStore store;
  @Inject LiveCatalog catalog;

  private record Entry(Optional<ChampionModel> model, long loadedAt) {}

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  public Optional<ChampionModel> champion(String profileId, String object) {
    String key = profileId + "/" + object;
    Entry e = entries.get(key);
    if (e == null || System.nanoTime() - e.loadedAt() > TTL.toNanos()) {
      e = new Entry(load(profileId, object), System.nanoTime());
      entries.put(key, e);
    }
    return e.model();
  }

  public void invalidate(String profileId, String object) {
    entries.remove(profileId + "/" + object);
  }

  private Optional<ChampionModel> load(String profileId, String object) {
    Optional<ModelStore.Stored> stored =
        ReactiveBridge.await(() -> store.champion(profileId, object));
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    LeadFeatures features =
        LeadFeatures.of(
            catalog.mapping(catalog.profile(profileId).object(object).orElseThrow().mapping()));
    try {
      return Optional.of(load(stored.get(), features));
    } catch (RuntimeException e) {
      LOG.errorf(
          "%s %s: champion v%d is not used, the rules scorer is: %s",
          profileId, object, stored.get().version(), e.getMessage());
      return Optional.empty();
    }
  }

  /** Reads a registered model; refuses one that is corrupt or fits other feature groups. */
  static ChampionModel load(ModelStore.Stored stored, LeadFeatures features) {
    if (!stored.featureGroups().equals(features.groups())) {
      throw new IllegalStateException(
          "it was trained on feature groups "
              + stored.featureGroups()
              + " but the mapping now feeds "
              + features.groups());
    }
    Model<?> model;
    try {
      model = Model.deserializeFromStream(new ByteArrayInputStream(stored.model()));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("the stored model cannot be read: " + e.getMessage(), e);
    }
    BinaryModel.Algorithm algorithm =
        BinaryModel.Algorithm.valueOf(stored.algorithm().toUpperCase(Locale.ROOT));
    return new ChampionModel(
        "model:"
            + stored.profileId()
            + "/"
            + stored.crmObject()
            + "@"
            + stored.version()
            + " "
            + stored.algorithm(),
        BinaryModel.of(algorithm, model),
        new Calibration(stored.calibrationA(), stored.calibrationB()),
        features);
  }
}

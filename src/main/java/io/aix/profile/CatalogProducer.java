package io.aix.profile;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Loads {@code crm-profiles/}, {@code mappings/} and {@code routes/} at start-up; a bad file stops
 * start-up. Later changes arrive through {@link ConfigWatcher}.
 */
@ApplicationScoped
public class CatalogProducer {
  private static final Logger LOG = Logger.getLogger(CatalogProducer.class);

  @ConfigProperty(name = "aix.config-dir", defaultValue = ".")
  String configDir;

  /**
   * {@code false} only for {@code ./aix validate}, which reports every problem itself instead of
   * stopping at the first.
   */
  @ConfigProperty(name = "aix.config.check-at-start", defaultValue = "true")
  boolean checkAtStart;

  @Produces
  @ApplicationScoped
  @Startup
  LiveCatalog catalog() {
    return new LiveCatalog(load());
  }

  private ConfigCatalog load() {
    Path root = Path.of(configDir).toAbsolutePath().normalize();
    ConfigCatalog catalog;
    if (!checkAtStart) {
      return ConfigCatalog.check(root, null).catalog();
    }
    try {
      catalog = ConfigCatalog.load(root);
    } catch (ConfigException e) {
      // One plain line an admin can act on, ahead of the start-up stack trace.
      LOG.error("Invalid configuration: " + e.getMessage());
      throw e;
    }
    LOG.infof(
        "Loaded %d CRM profile(s) %s, %d mapping(s), %d scoring profile(s) from %s",
        catalog.profiles().size(),
        catalog.profiles().keySet(),
        catalog.mappings().size(),
        catalog.scoringProfiles().size(),
        root);
    return catalog;
  }
}

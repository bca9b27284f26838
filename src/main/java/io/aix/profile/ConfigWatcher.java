package io.aix.profile;

import io.aix.persistence.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Hot reload of {@code crm-profiles/}, {@code mappings/} and {@code routes/}: a change is checked
 * as {@code ./aix validate} checks it (every file, every reference, Camel's own route check) and,
 * only when all of it is valid, applied: mappings, scoring profiles and profile settings through
 * {@link LiveCatalog} (the next record uses them), changed route files through Camel's route
 * update. An invalid change is refused with each {@code file:line}, logged, and the running version
 * stays. A profile's connection, objects, writeback and limits live in its connector and apply at
 * the next start; the log says so when they change.
 */
@ApplicationScoped
public class ConfigWatcher {
  private static final Logger LOG = Logger.getLogger(ConfigWatcher.class);

  /** Changes are applied once the files have been quiet this long (editors write in steps). */
  static final long SETTLE_MILLIS = 300;

  @Inject LiveCatalog catalog;
  @Inject CamelContext camel;
  @Inject ConfigAudit audit;

  @ConfigProperty(name = "aix.config-dir", defaultValue = ".")
  String configDir;

  private WatchService watch;
  private Thread thread;
  private Map<Path, String> routeHashes = Map.of();
  private volatile List<ConfigException> lastRefusal = List.of();
  private volatile Map<Path, String> lastSeen = Map.of();

  /** The outcome of one reload. */
  public record Outcome(boolean applied, List<ConfigException> problems, List<String> notes) {}

  private Path root() {
    return Path.of(configDir).toAbsolutePath().normalize();
  }

  /** Starts watching (once); serve and demo call it after start-up. */
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    routeHashes = hashes(root().resolve("routes"));
    try {
      watch = FileSystems.getDefault().newWatchService();
      for (Path dir :
          List.of(
              root().resolve("crm-profiles"),
              root().resolve("crm-profiles").resolve("scoring"),
              root().resolve("mappings"),
              root().resolve("routes"))) {
        if (Files.isDirectory(dir)) {
          dir.register(
              watch,
              StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_MODIFY,
              StandardWatchEventKinds.ENTRY_DELETE);
        }
      }
    } catch (IOException e) {
      LOG.warnf("Hot reload is off: cannot watch %s (%s)", root(), e.getMessage());
      return;
    }
    thread = new Thread(this::run, "aix-config-watch");
    thread.setDaemon(true);
    thread.start();
    LOG.infof("Watching %s for profile, mapping and route changes", root());
  }

  @jakarta.annotation.PreDestroy
  public synchronized void stop() {
    if (watch != null) {
      try {
        watch.close();
      } catch (IOException e) {
        LOG.debug("closing the watch service", e);
      }
    }
    thread = null;
  }

  /**
   * The SHA-256 of a file as the last reload read it (applied or refused), or null: tells a caller
   * that a change it saved has been considered.
   */
  public String lastSeen(Path file) {
    return lastSeen.get(file.toAbsolutePath().normalize());
  }

  /** The problems of the last refused change; empty when the last change was applied. */
  public List<ConfigException> lastRefusal() {
    return lastRefusal;
  }

  private void run() {
    WatchService service = watch;
    try {
      while (true) {
        WatchKey key = service.take();
        drain(key);
        // Wait until the burst of writes is over, then apply once.
        WatchKey more;
        while ((more = service.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
          drain(more);
        }
        if (io.quarkus.arc.Arc.container() == null || !io.quarkus.arc.Arc.container().isRunning()) {
          return; // shutting down
        }
        try {
          reload();
        } catch (RuntimeException e) {
          LOG.error("Configuration reload failed; the running version stays", e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ClosedWatchServiceException e) {
      LOG.debug("config watch stopped");
    }
  }

  private static void drain(WatchKey key) {
    key.pollEvents();
    key.reset();
  }

  /** Checks the files as they are now and applies them when all is valid. */
  public synchronized Outcome reload() {
    Path root = root();
    Map<Path, String> now = hashes(root.resolve("routes"));
    Map<Path, String> seen = new HashMap<>(now);
    for (String dir : List.of("crm-profiles", "crm-profiles/scoring", "mappings")) {
      seen.putAll(hashes(root.resolve(dir)));
    }
    ConfigCatalog.Checked checked = ConfigCatalog.checkAll(root, NamedBeans.all());
    List<ConfigException> problems = checked.problems();
    if (!problems.isEmpty()) {
      lastRefusal = List.copyOf(problems);
      lastSeen = Map.copyOf(seen);
      LOG.errorf(
          "Configuration change refused, the running version stays:%n  %s",
          problems.stream().map(ConfigException::getMessage).collect(Collectors.joining("\n  ")));
      return new Outcome(false, lastRefusal, List.of());
    }
    List<String> notes = new ArrayList<>();
    List<Resource> changedRoutes = new ArrayList<>();
    for (Map.Entry<Path, String> e : now.entrySet()) {
      if (!e.getValue().equals(routeHashes.get(e.getKey()))) {
        changedRoutes.add(ResourceHelper.resolveResource(camel, "file:" + e.getKey()));
      }
    }
    if (!changedRoutes.isEmpty()) {
      try {
        var updated = PluginHelper.getRoutesLoader(camel).updateRoutes(changedRoutes);
        notes.add("routes updated: " + updated);
      } catch (Exception e) {
        lastRefusal =
            List.of(
                RouteDsl.describe(
                    Path.of(changedRoutes.get(0).getLocation().replaceFirst("^file:", "")), e));
        lastSeen = Map.copyOf(seen);
        LOG.error("Camel refused the changed routes; the running routes stay", e);
        return new Outcome(false, lastRefusal, List.of());
      }
    }
    for (Path gone : routeHashes.keySet()) {
      if (!now.containsKey(gone)) {
        notes.add(gone.getFileName() + " removed, with its routes " + removeRoutesOf(gone));
      }
    }
    routeHashes = now;
    ConfigCatalog before = catalog.current();
    ConfigCatalog after = keepRemovedProfiles(before, checked.catalog(), notes);
    for (CrmProfile profile : after.profiles().values()) {
      CrmProfile old = before.profiles().get(profile.id());
      if (old == null) {
        notes.add("profile " + profile.id() + " is new: it starts syncing at the next start");
      } else if (!Objects.equals(old.connection(), profile.connection())
          || !Objects.equals(old.objects(), profile.objects())
          || !Objects.equals(
              old.writeback().withDryRun(false), profile.writeback().withDryRun(false))
          || !Objects.equals(old.limits(), profile.limits())) {
        notes.add(
            "profile "
                + profile.id()
                + ": connection, objects, writeback and limits changes apply at the next start"
                + " (dryRun applies now)");
      }
    }
    catalog.replace(after);
    lastRefusal = List.of();
    lastSeen = Map.copyOf(seen);
    try {
      audit.record(AuditLog.SYSTEM);
    } catch (RuntimeException e) {
      LOG.warn("the configuration change was applied but not audited", e);
    }
    LOG.infof(
        "Configuration reloaded (version %d)%s",
        catalog.version(), notes.isEmpty() ? "" : ": " + String.join("; ", notes));
    return new Outcome(true, List.of(), notes);
  }

  /**
   * A profile whose file was removed keeps running, with its mappings and scoring profile, until
   * the next start: its intake routes and connector were made at start and still ask for it.
   */
  private static ConfigCatalog keepRemovedProfiles(
      ConfigCatalog before, ConfigCatalog after, List<String> notes) {
    Map<String, CrmProfile> profiles = new java.util.LinkedHashMap<>(after.profiles());
    Map<String, io.aix.mapping.MappingProfile> mappings = new HashMap<>(after.mappings());
    Map<String, io.aix.scoring.ScoringProfile> scoring = new HashMap<>(after.scoringProfiles());
    boolean kept = false;
    for (CrmProfile old : before.profiles().values()) {
      if (!profiles.containsKey(old.id())) {
        kept = true;
        profiles.put(old.id(), old);
        old.objects().forEach(o -> mappings.putIfAbsent(o.mapping(), before.mapping(o.mapping())));
        scoring.putIfAbsent(old.scoringProfile(), before.scoring(old.scoringProfile()));
        notes.add("profile " + old.id() + " was removed: it keeps running until the next start");
      }
    }
    return kept
        ? new ConfigCatalog(Map.copyOf(profiles), Map.copyOf(mappings), Map.copyOf(scoring))
        : after;
  }

  /** Stops and removes the routes loaded from a route file that is gone. */
  private List<String> removeRoutesOf(Path file) {
    List<String> removed = new ArrayList<>();
    for (org.apache.camel.Route route : List.copyOf(camel.getRoutes())) {
      Resource source = route.getSourceResource();
      if (source != null
          && source.getLocation() != null
          && Path.of(source.getLocation().replaceFirst("^file:", ""))
              .toAbsolutePath()
              .normalize()
              .equals(file)) {
        try {
          camel.getRouteController().stopRoute(route.getRouteId());
          camel.removeRoute(route.getRouteId());
          removed.add(route.getRouteId());
        } catch (Exception e) {
          LOG.warnf("cannot remove route %s of the removed %s: %s", route.getRouteId(), file, e);
        }
      }
    }
    return removed;
  }

  private static Map<Path, String> hashes(Path dir) {
    Map<Path, String> result = new HashMap<>();
    if (!Files.isDirectory(dir)) {
      return result;
    }
    try (Stream<Path> files = Files.list(dir)) {
      files
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .forEach(p -> result.put(p.toAbsolutePath().normalize(), ConfigAudit.sha256(p)));
    } catch (IOException e) {
      LOG.warnf("cannot list %s: %s", dir, e.getMessage());
    }
    return result;
  }
}

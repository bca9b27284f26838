package io.aix.profile;

import io.aix.persistence.AuditLog;
import io.aix.persistence.ReactiveBridge;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Profile changes in the audit log: each file of {@code crm-profiles/}, {@code mappings/} and
 * {@code routes/} that AIX starts with is compared, by SHA-256, with the version the log last saw;
 * a new or changed file gets an entry. A file the log knows but that is gone gets one too.
 */
@ApplicationScoped
public class ConfigAudit {
  static final List<String> DIRECTORIES = List.of("crm-profiles", "mappings", "routes");

  @Inject AuditLog audit;

  @ConfigProperty(name = "aix.config-dir", defaultValue = ".")
  String configDir;

  /** Appends an entry per changed file; yields how many. */
  public int record(String actor) {
    Path root = Path.of(configDir).toAbsolutePath().normalize();
    int changed = 0;
    for (Path file : files(root)) {
      String name = root.relativize(file).toString().replace('\\', '/');
      String hash = "sha256 " + sha256(file);
      Optional<String> last =
          ReactiveBridge.await(() -> audit.lastDetails(AuditLog.Action.CONFIG_CHANGE, name));
      if (last.isPresent() && last.get().startsWith(hash)) {
        continue;
      }
      String details =
          hash + last.map(l -> " (was " + l.split(" ")[1].substring(0, 12) + ")").orElse(" (new)");
      ReactiveBridge.await(() -> audit.append(actor, AuditLog.Action.CONFIG_CHANGE, name, details));
      changed++;
    }
    return changed;
  }

  private static List<Path> files(Path root) {
    return DIRECTORIES.stream()
        .map(root::resolve)
        .filter(Files::isDirectory)
        .flatMap(
            dir -> {
              try (Stream<Path> walk = Files.walk(dir)) {
                return walk
                    .filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted()
                    .toList()
                    .stream();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .toList();
  }

  static String sha256(Path file) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

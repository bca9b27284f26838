package io.aix.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/** A copy of the shipped crm-profiles/, mappings/ and routes/, for tests that edit them. */
public final class ConfigCopy {
  private ConfigCopy() {}

  /** Copies the shipped configuration into a new directory below {@code parent} (or tmp). */
  public static Path create(Path parent) {
    try {
      Path root =
          parent == null
              ? Files.createTempDirectory("aix-config")
              : Files.createTempDirectory(parent, "config");
      for (String sub : List.of("crm-profiles", "mappings", "routes")) {
        try (Stream<Path> files = Files.walk(Path.of(sub))) {
          for (Path f : files.toList()) {
            Path target = root.resolve(f.toString());
            if (Files.isDirectory(f)) {
              Files.createDirectories(target);
            } else {
              Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
            }
          }
        }
      }
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

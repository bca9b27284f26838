package io.aix.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Opens a URL in the user's browser through the desktop's own opener ({@code xdg-open} on Linux
 * with a display, {@code open} on macOS, {@code rundll32} on Windows), as command-line tools do.
 * Without one (a server, SSH without a display) it opens nothing and the caller's printed URL is
 * the way. Not {@code java.awt.Desktop}: the application runs headless.
 */
final class DesktopBrowser {
  private DesktopBrowser() {}

  /** True when an opener was started on {@code url}. */
  static boolean open(String url) {
    Optional<List<String>> command = opener(url);
    if (command.isEmpty()) {
      return false;
    }
    try {
      new ProcessBuilder(command.get())
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Optional<List<String>> opener(String url) {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (os.contains("mac")) {
      return onPath("open").map(open -> List.of(open, url));
    }
    if (os.contains("win")) {
      return Optional.of(List.of("rundll32", "url.dll,FileProtocolHandler", url));
    }
    boolean display = System.getenv("DISPLAY") != null || System.getenv("WAYLAND_DISPLAY") != null;
    return display ? onPath("xdg-open").map(open -> List.of(open, url)) : Optional.empty();
  }

  private static Optional<String> onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate.toString());
      }
    }
    return Optional.empty();
  }
}

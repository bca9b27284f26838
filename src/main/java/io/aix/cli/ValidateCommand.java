package io.aix.cli;

import io.aix.profile.ConfigCatalog;
import io.aix.profile.ConfigException;
import io.aix.profile.NamedBeans;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description =
        "Checks every file in crm-profiles/, mappings/ and routes/ and every reference between them"
            + " (mappings and scoring profiles of a profile; directs, route configurations, beans"
            + " and bean methods of a route) and prints each problem as file:line: what is wrong."
            + " Exit 0 when all is valid, 1 otherwise.")
public class ValidateCommand implements Callable<Integer> {
  @ConfigProperty(name = "aix.config-dir", defaultValue = ".")
  String configDir;

  @Option(
      names = "--dir",
      description =
          "The directory holding crm-profiles/, mappings/ and routes/ (default: ${DEFAULT-VALUE}).",
      defaultValue = "")
  String dir;

  @Override
  public Integer call() {
    Path root = Path.of(dir.isBlank() ? configDir : dir).toAbsolutePath().normalize();
    ConfigCatalog.Checked checked = ConfigCatalog.checkAll(root, NamedBeans.all());
    List<ConfigException> problems = checked.problems();
    for (ConfigException problem : problems) {
      System.out.println(relative(root, problem));
    }
    if (!problems.isEmpty()) {
      System.out.printf("%d problem(s)%n", problems.size());
      return 1;
    }
    ConfigCatalog catalog = checked.catalog();
    System.out.printf(
        "ok: %d CRM profile(s) %s, %d mapping(s) %s, %d scoring profile(s), %d route(s) and"
            + " template(s)%n",
        catalog.profiles().size(),
        new java.util.TreeSet<>(catalog.profiles().keySet()),
        catalog.mappings().size(),
        new java.util.TreeSet<>(catalog.mappings().keySet()),
        catalog.scoringProfiles().size(),
        checked.routes());
    return 0;
  }

  private static String relative(Path root, ConfigException e) {
    Path file = Path.of(e.file()).toAbsolutePath().normalize();
    String shown = file.startsWith(root) ? root.relativize(file).toString() : e.file();
    return shown + ":" + e.line() + ": " + e.problem();
  }
}

package io.aix.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/**
 * {@code ./aix <command>}: every command documents itself with {@code --help} (or {@code ./aix help
 * <command>}).
 */
@TopCommand
@Command(
    name = "aix",
    mixinStandardHelpOptions = true,
    version = "AIX 0.1.0",
    description = "AIX lead-qualification middleware: CRM intake, scoring and writeback.",
    subcommands = {
      DemoCommand.class,
      ServeCommand.class,
      ValidateCommand.class,
      MappingCommand.class,
      InstallCommand.class,
      BenchCommand.class,
      ModelCommand.class,
      DeadLettersCommand.class,
      KeycloakCommand.class,
      picocli.CommandLine.HelpCommand.class
    })
public class AixCommand {}

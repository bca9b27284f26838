package io.aix.cli;

import io.aix.model.ModelSchedule;
import io.aix.pipeline.IntakeController;
import io.quarkus.runtime.Quarkus;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Runs AIX for real: profiles from crm-profiles/, mappings from mappings/, routes from"
            + " routes/, secrets from the environment. Serves the API on the configured HTTP port"
            + " until stopped.")
public class ServeCommand implements Callable<Integer> {
  @Inject IntakeController intake;
  @Inject ModelSchedule models;
  @Inject io.aix.ops.AlertMonitor alerts;
  @Inject io.aix.profile.ConfigAudit configAudit;
  @Inject io.aix.security.CredentialVault vault;
  @Inject io.aix.profile.ConfigWatcher watcher;
  @Inject io.aix.ui.UiServer ui;

  @Override
  public Integer call() {
    configAudit.record(io.aix.persistence.AuditLog.SYSTEM);
    vault.resealAll();
    intake.start();
    models.start();
    alerts.watch();
    watcher.start();
    ui.start();
    Quarkus.waitForExit();
    return 0;
  }
}

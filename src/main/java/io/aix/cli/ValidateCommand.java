package io.aix.cli;

import io.aix.profile.ConfigCatalog;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import org.apache.camel.CamelContext;
import picocli.CommandLine.Command;

@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description =
        "Checks crm-profiles/, mappings/ and routes/ and reports what was loaded. A bad file"
            + " fails with file:line: what is wrong (start-up of every command refuses it too).")
public class ValidateCommand implements Callable<Integer> {
  @Inject ConfigCatalog catalog;
  @Inject CamelContext camel;

  @Override
  public Integer call() {
    System.out.printf(
        "ok: %d CRM profile(s) %s, %d mapping(s) %s, %d scoring profile(s), %d route(s), %d route template(s)%n",
        catalog.profiles().size(),
        catalog.profiles().keySet(),
        catalog.mappings().size(),
        catalog.mappings().keySet(),
        catalog.scoringProfiles().size(),
        camel.getRoutes().size(),
        ((org.apache.camel.model.ModelCamelContext) camel).getRouteTemplateDefinitions().size());
    return 0;
  }
}

package io.aix.connector.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.aix.connector.CrmCallException;
import io.aix.connector.CrmConnector;
import io.aix.connector.CrmFailure;
import io.aix.connector.InstallFinding;
import io.aix.connector.ScoreWrite;
import io.aix.connector.WriteOutcome;
import io.aix.profile.CrmProfile;
import io.aix.profile.LiveCatalog;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.Sandbox;
import io.aix.scoring.ScoreResult;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Salesforce connector against a sandbox org as strict as a real one: numbers stored at their
 * field's scale, and no Delete for the integration user unless an admin granted it.
 */
@QuarkusTest
class SalesforceOrgPermissionsTest {
  @Inject SalesforceConnectorFactory factory;
  @Inject Sandbox sandbox;
  @Inject LiveCatalog catalog;

  SalesforceOrg org;

  @BeforeEach
  void cleanOrg() {
    org = sandbox.salesforce().org();
    org.reset();
  }

  /** The demo profile, as another id, erasing in the CRM or not. */
  private CrmConnector connector(String id, boolean eraseInCrm) {
    CrmProfile demo = catalog.profile("demo-salesforce");
    CrmProfile profile =
        new CrmProfile(
            id,
            demo.type(),
            demo.file(),
            demo.connection(),
            demo.objects(),
            demo.writeback(),
            demo.scoringProfile(),
            demo.limits(),
            demo.webhooks(),
            CrmProfile.Tasks.OFF,
            demo.model(),
            new CrmProfile.Privacy(Optional.empty(), eraseInCrm));
    return factory.create(profile);
  }

  @Test
  void aReadBackComparesNumbersAsSalesforceStoresThem() {
    String id = org.insert("Lead", Map.of("LastName", "Okafor", "Company", "Tyrell Systems"));
    CrmConnector connector = connector("sf-scale-" + System.nanoTime(), false);
    // 0.3755 is written as 37.55 %; AIX_Conversion_Probability__c is a Percent(3, 1).
    ScoreWrite write =
        new ScoreWrite(
            id,
            new ScoreResult(
                64, "B", 0.3755, 60, 70, "Director", "rules@1", Instant.now(), "1 form"));

    assertThat(connector.writeScores("Lead", List.of(write)))
        .singleElement()
        .isInstanceOf(WriteOutcome.Written.class);
    assertThat(org.record("Lead", id).path("AIX_Conversion_Probability__c").decimalValue())
        .as("the org keeps the field's scale, rounding half up")
        .isEqualByComparingTo("37.6");

    // The answer of that write was lost: AIX asks whether the org shows it before writing again.
    assertThat(connector.showing("Lead", List.of(write)))
        .as("37.55 written shows as 37.6: the same value, as Salesforce stores it")
        .containsExactly(id);
    ScoreWrite other =
        new ScoreWrite(
            id,
            new ScoreResult(
                64, "B", 0.3765, 60, 70, "Director", "rules@1", Instant.now(), "1 form"));
    assertThat(connector.showing("Lead", List.of(other)))
        .as("37.65 would be stored as 37.7, not the 37.6 shown: not written yet")
        .isEmpty();
  }

  @Test
  void anErasureWithoutDeletePermissionFailsSayingWhatIsMissing() {
    String id = org.insert("Lead", Map.of("LastName", "Okafor", "Company", "Tyrell Systems"));
    CrmConnector connector = connector("sf-erase-" + System.nanoTime(), true);

    CrmCallException refused =
        catchThrowableOfType(() -> connector.erase("Lead", id), CrmCallException.class);

    assertThat(refused).as("the kit's permission set withholds Delete").isNotNull();
    assertThat(refused.failure().kind()).isEqualTo(CrmFailure.Kind.PERMANENT);
    assertThat(refused.failure().code()).isEqualTo("INSUFFICIENT_ACCESS_OR_READONLY");
    assertThat(refused.failure().message())
        .contains("may not delete Lead records")
        .contains("give the integration user Delete on Lead")
        .contains("privacy.eraseInCrm: false");
    assertThat(org.record("Lead", id).path("IsDeleted").asBoolean()).isFalse();
    assertThat(org.deletedByApi()).isEmpty();

    org.grantDelete(true);
    assertThat(connector.erase("Lead", id)).isEqualTo("deleted in Salesforce");
    assertThat(org.record("Lead", id).path("IsDeleted").asBoolean()).isTrue();
  }

  @Test
  void theInstallCheckReportsAMissingDeleteWhenTheProfileErasesInTheCrm() {
    Map<String, io.aix.mapping.MappingProfile> mappings =
        Map.of(
            "Lead", catalog.mapping("salesforce-lead"),
            "Contact", catalog.mapping("salesforce-contact"));

    List<InstallFinding> erasing =
        connector("sf-check-erase-" + System.nanoTime(), true).checkInstall(mappings);
    assertThat(erasing)
        .filteredOn(f -> f.item().startsWith("Lead (delete"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.ok()).isFalse();
              assertThat(f.fix()).contains("Delete on Lead");
            });

    List<InstallFinding> keeping =
        connector("sf-check-keep-" + System.nanoTime(), false).checkInstall(mappings);
    assertThat(keeping)
        .as("a profile that never erases in the CRM needs no Delete")
        .noneMatch(f -> f.item().contains("delete"));
    assertThat(keeping).allMatch(InstallFinding::ok);

    org.grantDelete(true);
    assertThat(connector("sf-check-granted-" + System.nanoTime(), true).checkInstall(mappings))
        .filteredOn(f -> f.item().startsWith("Lead (delete"))
        .singleElement()
        .satisfies(f -> assertThat(f.ok()).isTrue());
  }
}

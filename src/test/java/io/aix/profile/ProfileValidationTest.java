package io.aix.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad profile stops start-up with {@code file:line: what is wrong}; these pin the messages. */
class ProfileValidationTest {
  private static final String GOOD =
      """
      id: acme-sf
      type: salesforce
      connection:
        loginUrl: https://login.salesforce.com
        apiVersion: "62.0"
        auth:
          flow: jwt
          clientId: { env: ACME_SF_CLIENT_ID }
          username: { env: ACME_SF_USERNAME }
          keystore: { env: ACME_SF_KEYSTORE }
          keystorePassword: { env: ACME_SF_KEYSTORE_PASSWORD }
      objects:
        - name: Lead
          mapping: salesforce-lead
          every: 30s
      scoring: default-rules
      """;

  @TempDir Path root;

  private ConfigException loadFails(String profileYaml) throws IOException {
    ConfigException e = loadFailsOrNull(profileYaml);
    if (e == null) {
      throw new AssertionError("expected the profile to be refused:\n" + profileYaml);
    }
    return e;
  }

  /** Writes the profile beside the shipped mapping and scoring profile and loads it. */
  private ConfigException loadFailsOrNull(String profileYaml) throws IOException {
    Files.createDirectories(root.resolve("crm-profiles/scoring"));
    Files.createDirectories(root.resolve("mappings"));
    Files.copy(
        Path.of("mappings/salesforce-lead.yaml"),
        root.resolve("mappings/salesforce-lead.yaml"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        Path.of("crm-profiles/scoring/default-rules.yaml"),
        root.resolve("crm-profiles/scoring/default-rules.yaml"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(root.resolve("crm-profiles/acme.yaml"), profileYaml);
    try {
      ConfigCatalog.load(root);
    } catch (ConfigException e) {
      return e;
    }
    return null;
  }

  private String file() {
    return root.resolve("crm-profiles/acme.yaml").toString();
  }

  @Test
  void aValidProfileLoadsIntoTypedRecords() throws IOException {
    Files.createDirectories(root.resolve("crm-profiles/scoring"));
    Files.createDirectories(root.resolve("mappings"));
    Files.copy(
        Path.of("mappings/salesforce-lead.yaml"),
        root.resolve("mappings/salesforce-lead.yaml"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        Path.of("crm-profiles/scoring/default-rules.yaml"),
        root.resolve("crm-profiles/scoring/default-rules.yaml"));
    Files.writeString(root.resolve("crm-profiles/acme.yaml"), GOOD);
    CrmProfile p = ConfigCatalog.load(root).profile("acme-sf");
    assertThat(p.connection().auth()).isInstanceOf(CrmProfile.Auth.Jwt.class);
    assertThat(p.objects().get(0).every()).hasSeconds(30);
    assertThat(p.objects().get(0).overlap()).as("default overlap").hasMinutes(2);
    assertThat(p.writeback().fields()).contains("AIX_Score__c", "AIX_Top_Factors__c");
    assertThat(((CrmProfile.Auth.Jwt) p.connection().auth()).clientId().toString())
        .as("a secret reference prints its name, never a value")
        .isEqualTo("env:ACME_SF_CLIENT_ID");
  }

  @Test
  void aMissingMappingNamesTheLineOfTheReference() throws IOException {
    ConfigException e =
        loadFails(GOOD.replace("mapping: salesforce-lead", "mapping: salesforce-leads"));
    assertThat(e.getMessage())
        .isEqualTo(
            file() + ":14: mapping 'salesforce-leads' does not exist (known: salesforce-lead)");
  }

  @Test
  void aLiteralSecretIsRefused() throws IOException {
    ConfigException e =
        loadFails(GOOD.replace("clientId: { env: ACME_SF_CLIENT_ID }", "clientId: 3MVG9abc"));
    assertThat(e.getMessage())
        .startsWith(file() + ":8: 'clientId' must be a reference like { env:");
  }

  @Test
  void anUnknownKeyIsNamedWithItsLine() throws IOException {
    ConfigException e = loadFails(GOOD.replace("every: 30s", "every: 30s\n    evry: 5m"));
    assertThat(e.getMessage())
        .isEqualTo(
            file()
                + ":16: unknown key 'objects[0].evry' (expected one of activity, changes, channel, every, mapping, name, overlap, pageSize)");
  }

  @Test
  void aChangeEventChannelIsACustomChannelOfAnObjectWithChangeEvents() throws IOException {
    assertThat(
            loadFails(GOOD.replace("every: 30s", "every: 30s\n    channel: AIX_Lead__chn"))
                .getMessage())
        .isEqualTo(
            file()
                + ":16: channel is where Change Data Capture events come from: set changes: cdc"
                + " too");
    assertThat(
            loadFails(
                    GOOD.replace(
                        "every: 30s", "every: 30s\n    changes: cdc\n    channel: LeadChangeEvent"))
                .getMessage())
        .startsWith(
            file() + ":17: channel is a custom change event channel named <Name>__chn (say AIX_");
  }

  @Test
  void aBadDurationSaysWhatAGoodOneLooksLike() throws IOException {
    ConfigException e = loadFails(GOOD.replace("every: 30s", "every: 30 seconds"));
    assertThat(e.getMessage())
        .isEqualTo(
            file()
                + ":15: 'objects[0].every' must be a duration like 30s, 5m, 6h or 10d, not '30 seconds'");
  }

  @Test
  void privacyAndFeedbackSettingsAreChecked() throws IOException {
    assertThat(loadFails(GOOD + "privacy:\n  retention: 2h\n").getMessage())
        .isEqualTo(
            file() + ":18: a retention shorter than a day would purge leads still being worked on");
    assertThat(loadFails(GOOD + "privacy:\n  eraseInCrm: maybe\n").getMessage())
        .isEqualTo(file() + ":18: 'privacy.eraseInCrm' must be true or false");
    assertThat(loadFails(GOOD + "model:\n  feedback: obey\n").getMessage())
        .isEqualTo(
            file()
                + ":18: feedback is learn (reps' verdicts weigh in training) or ignore, not obey");
  }

  @Test
  void plainHttpLoginUrlsAreRefused() throws IOException {
    ConfigException e =
        loadFails(GOOD.replace("https://login.salesforce.com", "http://login.salesforce.com"));
    assertThat(e.getMessage())
        .startsWith(file() + ":4: loginUrl must be 'sandbox' or an https:// URL");
  }

  @Test
  void brokenYamlReportsTheParserLine() throws IOException {
    ConfigException e = loadFails(GOOD.replace("  apiVersion: \"62.0\"", "  apiVersion: \"62.0"));
    assertThat(e.getMessage()).startsWith(file() + ":").contains("invalid YAML");
    assertThat(e.line()).isBetween(5, 18);
  }

  @Test
  void anUnknownScoringProfileIsNamed() throws IOException {
    ConfigException e = loadFails(GOOD.replace("scoring: default-rules", "scoring: fancy"));
    assertThat(e.getMessage())
        .isEqualTo(
            file()
                + ":16: scoring profile 'fancy' does not exist in crm-profiles/scoring/ (known: default-rules)");
  }

  @Test
  void aMappingForAnotherObjectIsRefused() throws IOException {
    ConfigException e = loadFails(GOOD.replace("- name: Lead", "- name: Contact"));
    assertThat(e.getMessage())
        .isEqualTo(
            file()
                + ":14: mapping 'salesforce-lead' is for salesforce Lead, not salesforce Contact");
  }

  @Test
  void theShippedConfigurationIsValid() {
    ConfigCatalog catalog = ConfigCatalog.load(Path.of("."));
    assertThat(catalog.profiles()).containsKey("demo-salesforce");
    assertThat(catalog.mappings()).containsKeys("salesforce-lead", "salesforce-contact");
  }

  @Test
  void mappingErrorsCarryTheirLine() {
    String yaml =
        """
        id: m
        crm: salesforce
        object: Lead
        fields:
          - { crm: Id, canonical: crmId, role: id }
          - { crm: Email, canonical: e_mail, role: feature }
        """;
    assertThatThrownBy(() -> io.aix.mapping.MappingLoader.load(ConfigNode.parse("m.yaml", yaml)))
        .hasMessageStartingWith("m.yaml:6: unknown canonical field 'e_mail' (known: crmId, email,");
    String badTransform =
        yaml.replace(
            "canonical: e_mail, role: feature",
            "canonical: email, role: feature, transforms: [trim, eval]");
    assertThatThrownBy(
            () -> io.aix.mapping.MappingLoader.load(ConfigNode.parse("m.yaml", badTransform)))
        .hasMessageStartingWith("m.yaml:6: unknown transform 'eval' (allowed: trim, lowercase,");
    String badRole =
        yaml.replace("canonical: e_mail, role: feature", "canonical: email, role: label");
    assertThatThrownBy(() -> io.aix.mapping.MappingLoader.load(ConfigNode.parse("m.yaml", badRole)))
        .hasMessage("m.yaml:6: role 'label' is only for canonical field 'converted'");
    String good = yaml.replace("e_mail", "email");
    String badSignal =
        good
            + "signals:\n"
            + "  - { crm: hs_email_last_open_date, type: email_open }\n"
            + "  - { crm: recent_conversion_date, type: webinar }\n";
    assertThatThrownBy(
            () -> io.aix.mapping.MappingLoader.load(ConfigNode.parse("m.yaml", badSignal)))
        .hasMessage(
            "m.yaml:9: unknown signal type 'webinar' (expected one of page_view, form_submit,"
                + " email_open, email_click, meeting, product_event)");
    assertThat(
            io.aix.mapping.MappingLoader.load(
                    ConfigNode.parse("m.yaml", badSignal.replace("webinar", "form_submit")))
                .crmFields())
        .as("signal fields are read with the mapped ones")
        .containsExactly("Id", "Email", "hs_email_last_open_date", "recent_conversion_date");
  }

  private static final String HUBSPOT =
      """
      id: acme-hs
      type: hubspot
      connection:
        portalId: 62515
        auth:
          flow: oauth
          clientId: { env: ACME_HS_CLIENT_ID }
          clientSecret: { env: ACME_HS_CLIENT_SECRET }
          refreshToken: { env: ACME_HS_REFRESH_TOKEN }
      webhooks:
        clientSecret: { env: ACME_HS_CLIENT_SECRET }
        publicUrl: https://aix.acme.com/
      objects:
        - name: contacts
          mapping: hubspot-contact
          pageSize: 200
      tasks:
        whenGrade: B
      """;

  private ConfigException hubspotFails(String yaml) throws IOException {
    Files.createDirectories(root.resolve("mappings"));
    Files.copy(
        Path.of("mappings/hubspot-contact.yaml"),
        root.resolve("mappings/hubspot-contact.yaml"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return loadFails(yaml);
  }

  @Test
  void aHubSpotProfileLoadsWithItsDefaults() throws IOException {
    Files.createDirectories(root.resolve("crm-profiles/scoring"));
    Files.createDirectories(root.resolve("mappings"));
    Files.copy(
        Path.of("mappings/hubspot-contact.yaml"), root.resolve("mappings/hubspot-contact.yaml"));
    Files.copy(
        Path.of("crm-profiles/scoring/default-rules.yaml"),
        root.resolve("crm-profiles/scoring/default-rules.yaml"));
    Files.writeString(root.resolve("crm-profiles/acme.yaml"), HUBSPOT);
    CrmProfile p = ConfigCatalog.load(root).profile("acme-hs");
    assertThat(p.connection().loginUrl()).isEqualTo("https://api.hubapi.com");
    assertThat(p.connection().auth()).isInstanceOf(CrmProfile.Auth.OAuthRefresh.class);
    assertThat(p.webhooks().orElseThrow().publicUrl()).contains("https://aix.acme.com");
    assertThat(p.connection().portalId()).isEqualTo(62515L);
    assertThat(p.writeback().batchSize()).as("HubSpot batches take 100").isEqualTo(100);
    assertThat(p.writeback().fields()).contains("aix_score", "aix_top_factors");
    assertThat(p.tasks().enabled()).isTrue();
    assertThat(p.tasks().grade()).isEqualTo("B");
  }

  @Test
  void hubSpotSearchPagesAreCappedAt200() throws IOException {
    ConfigException e = hubspotFails(HUBSPOT.replace("pageSize: 200", "pageSize: 2000"));
    assertThat(e.getMessage())
        .isEqualTo(file() + ":16: 'objects[0].pageSize' must be between 1 and 200, not 2000");
  }

  private static final String RULES =
      """
      tasks:
        subject: Hot lead
        rules:
          - id: turned-a
            whenGrade: A
          - id: engagement-burst
            engagementRises: 25
            within: 24h
            subject: "Engagement burst: call today"
      """;

  @Test
  void salesforceProfilesTakeHotLeadRules() throws IOException {
    loadFailsOrNull(GOOD + RULES);
    CrmProfile.Tasks tasks = ConfigCatalog.load(root).profile("acme-sf").tasks();
    assertThat(tasks.enabled()).isTrue();
    assertThat(tasks.rules())
        .containsExactly(
            new CrmProfile.HotRule("turned-a", "A", 0, java.time.Duration.ZERO, null),
            new CrmProfile.HotRule(
                "engagement-burst",
                null,
                25,
                java.time.Duration.ofHours(24),
                "Engagement burst: call today"));
  }

  @Test
  void aHotRuleIsByGradeOrByEngagementNeverBoth() throws IOException {
    ConfigException both =
        loadFails(GOOD + RULES.replace("whenGrade: A", "whenGrade: A\n      engagementRises: 5"));
    assertThat(both.getMessage())
        .isEqualTo(
            file()
                + ":22: a rule has either whenGrade (the lead reaches a grade) or engagementRises"
                + " with within (engagement rises that many points within that time)");
    ConfigException noWindow = loadFails(GOOD + RULES.replace("      within: 24h\n", ""));
    assertThat(noWindow.getMessage())
        .isEqualTo(file() + ":23: engagementRises needs within, e.g. within: 24h");
    ConfigException twice = loadFails(GOOD + RULES.replace("engagement-burst", "turned-a"));
    assertThat(twice.getMessage()).isEqualTo(file() + ":22: rule id 'turned-a' is used twice");
    ConfigException tooLong = loadFails(GOOD + RULES.replace("within: 24h", "within: 60d"));
    assertThat(tooLong.getMessage()).isEqualTo(file() + ":24: within must be between 5m and 30d");
  }

  @Test
  void aWebhookSecretMustBeAReferenceToo() throws IOException {
    ConfigException e =
        hubspotFails(
            HUBSPOT.replace(
                "webhooks:\n  clientSecret: { env: ACME_HS_CLIENT_SECRET }",
                "webhooks:\n  clientSecret: s3cr3t"));
    assertThat(e.getMessage())
        .startsWith(file() + ":11: 'clientSecret' must be a reference like { env:");
  }

  @Test
  void aRetrainScheduleMustBeACronExpression() throws IOException {
    ConfigException e = loadFails(GOOD + "model:\n  retrain: every sunday\n");
    assertThat(e.getMessage())
        .startsWith(
            file() + ":18: retrain must be a Quartz cron expression such as '0 0 3 ? * SUN'");
  }

  @Test
  void webhooksNeedThePortalTheyAreRoutedBy() throws IOException {
    ConfigException missing = hubspotFails(HUBSPOT.replace("  portalId: 62515\n", ""));
    assertThat(missing.getMessage())
        .startsWith(
            file() + ":10: webhooks need connection.portalId: a HubSpot app has one webhook");
    ConfigException notANumber =
        hubspotFails(HUBSPOT.replace("portalId: 62515", "portalId: acme-portal"));
    assertThat(notANumber.getMessage())
        .isEqualTo(
            file()
                + ":4: portalId must be the Hub ID, a positive whole number such as 62515, not"
                + " 'acme-portal'");
  }

  @Test
  void twoProfilesCannotDeclareOnePortal() throws IOException {
    Files.createDirectories(root.resolve("crm-profiles"));
    Files.writeString(
        root.resolve("crm-profiles/acme-eu.yaml"), HUBSPOT.replace("id: acme-hs", "id: acme-eu"));
    ConfigException e = hubspotFails(HUBSPOT);
    assertThat(e.getMessage())
        .contains(":4: portal 62515 is already declared by ")
        .endsWith("; HubSpot events are routed by portal, one profile per portal");
  }
}

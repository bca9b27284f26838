package io.aix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin commands as an admin types them, through the {@code aix} script and the packaged
 * application: {@code validate} on shipped and on broken files, {@code install check} against the
 * sandbox orgs (one told to hide a field), {@code mapping test} on a record file.
 */
class AdminToolsIT {
  record Result(int exit, String out, String err) {}

  @TempDir static Path dir;

  @BeforeAll
  static void demoDatabase() throws Exception {
    DemoIT.demoDatabaseExists();
  }

  static Result aix(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", "aix"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("aix-cmd", ".out");
    Path err = Files.createTempFile("aix-cmd", ".err");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().putAll(env);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("aix %s finished", List.of(args)).isTrue();
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static void edit(Path file, String from, String to) throws IOException {
    String text = Files.readString(file);
    assertThat(text).contains(from);
    Files.writeString(file, text.replaceFirst(java.util.regex.Pattern.quote(from), to));
  }

  private static int lineOf(Path file, String text) throws IOException {
    List<String> lines = Files.readAllLines(file);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i + 1;
      }
    }
    throw new AssertionError(text + " not in " + file);
  }

  @Test
  void validatePassesTheShippedFiles() throws Exception {
    Result r = aix(Map.of(), "validate");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("ok: 2 CRM profile(s) [demo-hubspot, demo-salesforce]");
  }

  @Test
  void validateReportsEachBrokenFileWithItsLineAndFails() throws Exception {
    Path root = io.aix.testing.ConfigCopy.create(dir);
    Path profile = root.resolve("crm-profiles/demo-salesforce.yaml");
    edit(profile, "  batchSize: 200\n", "  batchSize: 200\n  batchsize: 100\n");
    Path mapping = root.resolve("mappings/hubspot-contact.yaml");
    edit(mapping, "transforms: [trim, domain]", "transforms: [trim, domian]");
    Path routes = root.resolve("routes/pipeline.yaml");
    edit(routes, "ref: normalizer", "ref: normaliser");
    edit(routes, "method: claim", "method: claimNext");
    Files.writeString(
        root.resolve("routes/extra.yaml"),
        """
        - route:
            id: extra
            from:
              uri: direct:extra
              steps:
                - setHedder:
                    name: x
                    constant: y
        """);

    Result r = aix(Map.of(), "validate", "--dir", root.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out().lines().toList())
        .containsExactly(
            "crm-profiles/demo-salesforce.yaml:"
                + lineOf(profile, "batchsize")
                + ": unknown key 'writeback.batchsize' (expected one of batchSize, enabled, fields)",
            "mappings/hubspot-contact.yaml:"
                + lineOf(mapping, "domian")
                + ": unknown transform 'domian' (allowed: trim, lowercase, uppercase,"
                + " collapseSpaces, email, domain, number, integer, boolean, date, datetime,"
                + " mapValues, truncate, nullIf)",
            "routes/extra.yaml:6: Camel: Unknown node id: setHedder",
            "routes/pipeline.yaml:"
                + lineOf(routes, "claimNext")
                + ": bean 'worker' has no public method 'claimNext' (it has: claim, complete)",
            "routes/pipeline.yaml:"
                + lineOf(routes, "normaliser")
                + ": bean 'normaliser' does not exist (AIX's beans: activities, changes, checkpointer,"
                + " deadLetters, enricher, normalizer, poller, pushed, scorer, tasks, worker,"
                + " writeback)",
            "5 problem(s)");
  }

  @Test
  void installCheckReportsTheFieldTheSandboxHidesAndAllPresentOtherwise() throws Exception {
    Result hidden =
        aix(
            Map.of(
                "AIX_PROFILE", "demo",
                "AIX_JAVA_OPTS", "-Daix.sandbox.salesforce.hide-fields=Lead.AIX_Grade__c"),
            "install",
            "check",
            "--profile",
            "demo-salesforce");
    assertThat(hidden.exit()).as(hidden.err()).isEqualTo(1);
    assertThat(hidden.out())
        .contains("MISSING  Lead.AIX_Grade__c: missing (or not readable by the integration user)")
        .contains(
            "fix: deploy the install kit: sf project deploy start --source-dir crm-profiles/install/salesforce/force-app")
        .contains("ok       Contact.AIX_Grade__c: picklist, editable")
        .endsWith("1 missing; fix them and run this again\n");
    // The README's example of this output ("Install in Salesforce", step 7) is what it prints.
    String readme = java.nio.file.Files.readString(Path.of("README.md"));
    int marker = readme.indexOf("<!-- example: install check");
    int start = readme.indexOf("```\n", marker) + 4;
    List<String> example =
        readme
            .substring(start, readme.indexOf("```", start))
            .lines()
            .map(String::strip)
            .filter(l -> !l.isEmpty())
            .toList();
    List<String> printed = hidden.out().lines().map(String::strip).toList();
    assertThat(printed).containsAll(example);

    Result all = aix(Map.of("AIX_PROFILE", "demo"), "install", "check");
    assertThat(all.exit()).as(all.out() + all.err()).isZero();
    assertThat(all.out())
        .contains("demo-hubspot (hubspot):")
        .contains("ok       scope crm.schemas.contacts.write: granted")
        .contains("demo-salesforce (salesforce):")
        .doesNotContain("MISSING")
        .endsWith("all present\n");
  }

  @Test
  void mappingTestShowsTheCanonicalLeadOrEveryReason() throws Exception {
    Result ok =
        aix(
            Map.of(),
            "mapping",
            "test",
            "--mapping",
            "hubspot-contact",
            "--record",
            "src/test/resources/golden/hubspot-contact/typical.record.json");
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out())
        .contains("\"email\" : \"Priya.Raman@initech.io\"")
        .contains("\"leadSource\" : \"Partner Referral\"")
        .contains("\"employees\" : \"750\"");

    Result rejected =
        aix(
            Map.of(),
            "mapping",
            "test",
            "--mapping",
            "salesforce-lead",
            "--record",
            "src/test/resources/golden/salesforce-lead/bad-everything.record.json");
    assertThat(rejected.exit()).isEqualTo(1);
    assertThat(rejected.out())
        .contains("\"rejected\"")
        .contains("Email: 'dana@@globex' is not an e-mail address");
  }
}

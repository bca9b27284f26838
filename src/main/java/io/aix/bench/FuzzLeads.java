package io.aix.bench;

import io.aix.sandbox.LeadGenerator;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Leads with one thing wrong each, as CRMs really hand them over after imports and integrations:
 * wrong types, huge and empty values, control characters, invalid dates, nested junk. Each mutation
 * says what AIX must do with it: refuse it (a dead letter with a reason), accept it (score it), or
 * either, as long as it is one of the two and nothing crashes.
 */
final class FuzzLeads {
  enum Expect {
    REJECT,
    ACCEPT,
    EITHER
  }

  /** One fuzzed lead: its fields, what was done to it and what must follow. */
  record Fuzzed(Map<String, Object> fields, String mutation, Expect expect) {}

  private record Mutation(
      String name, Expect expect, java.util.function.Consumer<Map<String, Object>> apply) {}

  private static final String CONTROL = "\u0000\u0001\u0007\b\u001b[31m\u007f\u202e\ufeff";

  private final LeadGenerator generator;
  private final Random random;
  private final List<Mutation> mutations;

  FuzzLeads(long seed) {
    this.generator = new LeadGenerator(seed, Clock.systemUTC());
    this.random = new Random(seed);
    this.mutations =
        List.of(
            new Mutation(
                "text in a number", Expect.REJECT, f -> f.put("NumberOfEmployees", "lots")),
            new Mutation("malformed amount", Expect.REJECT, f -> f.put("AnnualRevenue", "12,5k$")),
            new Mutation(
                "boolean as a word", Expect.EITHER, f -> f.put("HasOptedOutOfEmail", "maybe")),
            new Mutation("broken e-mail", Expect.REJECT, f -> f.put("Email", "dana@@globex")),
            new Mutation(
                "100 KB title", Expect.REJECT, f -> f.put("Title", "T".repeat(100 * 1024))),
            new Mutation("empty required name", Expect.REJECT, f -> f.put("LastName", "")),
            new Mutation("blank required name", Expect.REJECT, f -> f.put("LastName", " \t\n ")),
            new Mutation("missing required name", Expect.REJECT, f -> f.remove("LastName")),
            new Mutation(
                "impossible date-time",
                Expect.REJECT,
                f -> f.put("CreatedDate", "2026-13-45T99:61:00.000+0000")),
            new Mutation(
                "date as a word", Expect.REJECT, f -> f.put("LastActivityDate", "yesterday")),
            new Mutation(
                "nested object in a text field",
                Expect.EITHER,
                f -> f.put("Company", Map.of("name", List.of(1, Map.of("deeper", "x"))))),
            new Mutation(
                "array in a text field", Expect.EITHER, f -> f.put("Title", List.of("CEO", "CTO"))),
            new Mutation("number in a text field", Expect.EITHER, f -> f.put("FirstName", 12345)),
            new Mutation(
                "overflowing integer",
                Expect.EITHER,
                f -> f.put("NumberOfEmployees", "1" + "0".repeat(30))),
            new Mutation(
                "control characters", Expect.ACCEPT, f -> f.put("FirstName", "Zo" + CONTROL + "ë")),
            new Mutation(
                "empty optional values",
                Expect.ACCEPT,
                f -> {
                  f.put("Company", "");
                  f.put("Phone", "");
                  f.put("Title", "");
                }),
            new Mutation(
                "unusual scripts and emoji",
                Expect.ACCEPT,
                f -> f.put("LastName", "Nguyễn 👩‍💻 العربية 中文")),
            new Mutation(
                "junk in unmapped fields",
                Expect.ACCEPT,
                f -> f.put("Description", Map.of("x", List.of(CONTROL, 1e308, false)))),
            new Mutation("no change (a control group)", Expect.ACCEPT, f -> {}));
  }

  Fuzzed next() {
    Map<String, Object> fields = new HashMap<>(new LinkedHashMap<>(generator.lead()));
    Mutation m = mutations.get(random.nextInt(mutations.size()));
    m.apply().accept(fields);
    return new Fuzzed(fields, m.name(), m.expect());
  }
}

package io.aix.scoring;

import io.aix.profile.ConfigNode;
import io.aix.scoring.ScoringProfile.Condition;
import io.aix.scoring.ScoringProfile.Rule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parses a scoring profile; problems are reported as {@code file:line: ...}. */
public final class ScoringProfileLoader {
  private ScoringProfileLoader() {}

  public static ScoringProfile load(ConfigNode doc) {
    doc.allowOnly(
        Set.of(
            "id",
            "version",
            "description",
            "fit",
            "engagement",
            "combine",
            "grades",
            "probability"));
    List<Rule> rules = new ArrayList<>();
    ConfigNode fit = doc.get("fit").allowOnly(Set.of("rules"));
    for (ConfigNode r : fit.get("rules").list()) {
      rules.add(rule(r));
    }
    ConfigNode engagement =
        doc.get("engagement").allowOnly(Set.of("halfLifeDays", "cap", "weights"));
    Map<String, Double> weights = new LinkedHashMap<>();
    ConfigNode weightNode = engagement.get("weights");
    Set<String> kinds =
        new java.util.LinkedHashSet<>(List.of("created", "activity", "emailOptOut"));
    for (io.aix.lead.EngagementSignal.Type t : io.aix.lead.EngagementSignal.Type.values()) {
      kinds.add(t.wire());
    }
    weightNode.allowOnly(kinds);
    for (String kind : weightNode.keys()) {
      weights.put(kind, weightNode.get(kind).number());
    }
    double halfLife = engagement.number("halfLifeDays", 14);
    if (halfLife <= 0) {
      throw engagement.get("halfLifeDays").error("halfLifeDays must be positive");
    }
    ConfigNode combine = doc.get("combine").allowOnly(Set.of("fitWeight"));
    double fitWeight = combine.number("fitWeight", 0.6);
    if (fitWeight < 0 || fitWeight > 1) {
      throw combine.get("fitWeight").error("fitWeight must be between 0 and 1");
    }
    ConfigNode grades = doc.get("grades").allowOnly(Set.of("A", "B", "C"));
    Map<String, Integer> thresholds = new LinkedHashMap<>();
    for (String g : List.of("A", "B", "C")) {
      thresholds.put(g, grades.integer(g, 0, 1, 100));
      if (!grades.has(g)) {
        throw grades.error("grades needs thresholds for A, B and C");
      }
    }
    if (!(thresholds.get("A") > thresholds.get("B") && thresholds.get("B") > thresholds.get("C"))) {
      throw grades.error("grade thresholds must fall from A to B to C");
    }
    ConfigNode probability = doc.get("probability").allowOnly(Set.of("midpoint", "slope"));
    return new ScoringProfile(
        doc.string("id"),
        doc.integer("version", 1, 1, 1_000_000),
        List.copyOf(rules),
        halfLife,
        weights,
        engagement.number("cap", 100),
        fitWeight,
        thresholds,
        probability.number("midpoint", 50),
        probability.number("slope", 0.08),
        doc.file());
  }

  private static Rule rule(ConfigNode r) {
    r.allowOnly(Set.of("fact", "in", "atLeast", "below", "missing", "present", "points", "reason"));
    String fact = r.string("fact");
    if (!ScoringFacts.NAMES.contains(fact)) {
      throw r.get("fact")
          .error(
              "unknown fact '" + fact + "' (known: " + String.join(", ", ScoringFacts.NAMES) + ")");
    }
    List<Condition> conditions = new ArrayList<>();
    r.opt("in")
        .ifPresent(
            n ->
                conditions.add(
                    new Condition.In(
                        new LinkedHashSet<>(n.list().stream().map(ConfigNode::text).toList()))));
    r.opt("atLeast").ifPresent(n -> conditions.add(new Condition.AtLeast(n.number())));
    r.opt("below").ifPresent(n -> conditions.add(new Condition.Below(n.number())));
    if (r.bool("missing", false)) {
      conditions.add(new Condition.Missing());
    }
    if (r.bool("present", false)) {
      conditions.add(new Condition.Present());
    }
    if (conditions.size() != 1) {
      throw r.error("a rule needs exactly one condition: in, atLeast, below, missing or present");
    }
    return new Rule(
        fact, conditions.get(0), r.integer("points", 0, -100, 100), r.string("reason"), r.line());
  }
}

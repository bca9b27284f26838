package io.aix.scoring;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A rules/points scoring profile from {@code crm-profiles/scoring/}: the cold-start scorer that
 * runs until a trained model earns its place.
 *
 * @param fitRules points for who the lead is
 * @param halfLifeDays engagement points halve every this many days
 * @param engagementWeights points per engagement kind at full freshness
 * @param grades lowest score for A, B and C; anything lower is D
 */
public record ScoringProfile(
    String id,
    int version,
    List<Rule> fitRules,
    double halfLifeDays,
    Map<String, Double> engagementWeights,
    double engagementCap,
    double fitWeight,
    Map<String, Integer> grades,
    double probabilityMidpoint,
    double probabilitySlope,
    String file) {

  /** One rule: when {@code condition} holds for {@code fact}, add {@code points}. */
  public record Rule(String fact, Condition condition, int points, String reason, int line) {}

  /** The closed list of conditions. */
  public sealed interface Condition {
    boolean test(Object value);

    record In(Set<String> values) implements Condition {
      public boolean test(Object value) {
        return value != null && values.stream().anyMatch(v -> v.equalsIgnoreCase(value.toString()));
      }
    }

    record AtLeast(double min) implements Condition {
      public boolean test(Object value) {
        return value instanceof Number n && n.doubleValue() >= min;
      }
    }

    record Below(double max) implements Condition {
      public boolean test(Object value) {
        return value instanceof Number n && n.doubleValue() < max;
      }
    }

    record Missing() implements Condition {
      public boolean test(Object value) {
        return value == null;
      }
    }

    record Present() implements Condition {
      public boolean test(Object value) {
        return value != null;
      }
    }
  }

  public String modelVersion() {
    return "rules:" + id + "@" + version;
  }
}

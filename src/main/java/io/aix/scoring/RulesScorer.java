package io.aix.scoring;

import io.aix.enrichment.Enrichment;
import io.aix.lead.CanonicalField;
import io.aix.lead.CanonicalLead;
import io.aix.lead.EngagementSignal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The cold-start scorer: fit points from rules, engagement points that halve every {@code
 * halfLifeDays}, combined and graded. Pure and thread-safe.
 */
public final class RulesScorer {
  private final ScoringProfile profile;
  private final Clock clock;

  public RulesScorer(ScoringProfile profile, Clock clock) {
    this.profile = profile;
    this.clock = clock;
  }

  /** One reason behind a score, with the points it is worth. */
  public record Factor(int points, String text) {}

  /** The engagement part: 0-100, and the reasons for it. */
  public record Engagement(int score, List<Factor> factors) {}

  /** Engagement from the lead's age and last activity, decayed with the profile's half-life. */
  public Engagement engagement(CanonicalLead lead) {
    return engagement(lead, List.of());
  }

  /**
   * Engagement from the lead's age, last activity and engagement signals: each signal is worth its
   * type's weight, halving every {@code halfLifeDays}; the sum is scaled by the profile's cap.
   */
  public Engagement engagement(CanonicalLead lead, List<EngagementSignal> signals) {
    List<Factor> factors = new ArrayList<>();
    Instant now = clock.instant();
    double engagementPoints = 0;
    Instant created = lead.instant(CanonicalField.CREATED_AT).orElse(null);
    if (created != null) {
      double p = decayed("created", Duration.between(created, now));
      engagementPoints += p;
      if (p >= 1) {
        factors.add(new Factor((int) Math.round(p), "New lead, created " + ageText(created, now)));
      }
    }
    LocalDate lastActivity = lead.date(CanonicalField.LAST_ACTIVITY_ON).orElse(null);
    if (lastActivity != null) {
      Instant at = lastActivity.atStartOfDay(ZoneOffset.UTC).toInstant();
      double p = decayed("activity", Duration.between(at, now));
      engagementPoints += p;
      if (p >= 1) {
        factors.add(new Factor((int) Math.round(p), "Recent activity " + ageText(at, now)));
      }
    }
    if (lead.bool(CanonicalField.EMAIL_OPT_OUT).orElse(false)) {
      double p = profile.engagementWeights().getOrDefault("emailOptOut", 0.0);
      engagementPoints += p;
      if (p != 0) {
        factors.add(new Factor((int) Math.round(p), "Opted out of e-mail"));
      }
    }
    Map<EngagementSignal.Type, List<EngagementSignal>> byType = byType(signals);
    for (Map.Entry<EngagementSignal.Type, List<EngagementSignal>> e : byType.entrySet()) {
      double p = signalPoints(e.getValue(), Instant.MIN);
      engagementPoints += p;
      if (Math.abs(p) >= 1) {
        factors.add(
            new Factor(
                (int) Math.round(p),
                capitalised(e.getKey().count(e.getValue().size()))
                    + ", latest "
                    + ageText(newest(e.getValue()), now)));
      }
    }
    int engagement =
        clamp((int) Math.round(100 * Math.max(0, engagementPoints) / profile.engagementCap()));

    return new Engagement(engagement, factors);
  }

  /**
   * Engagement points (on the 0-100 scale of the engagement score) of the signals that occurred
   * since {@code since}, each decayed to now: how far engagement rose in a window.
   */
  public int signalRise(List<EngagementSignal> signals, Instant since) {
    double points = 0;
    for (EngagementSignal s : signals) {
      if (!s.occurredAt().isBefore(since)) {
        points += signalPoints(List.of(s), Instant.MIN);
      }
    }
    return (int) Math.round(100 * points / profile.engagementCap());
  }

  /**
   * The engagement-signal summary a rep sees in the CRM: counts per type within two half-lives,
   * most first, and the latest signal; empty without signals.
   */
  public String summary(List<EngagementSignal> signals) {
    if (signals.isEmpty()) {
      return "";
    }
    Instant now = clock.instant();
    long windowDays = Math.max(1, Math.round(2 * profile.halfLifeDays()));
    Instant since = now.minus(Duration.ofDays(windowDays));
    List<EngagementSignal> recent =
        signals.stream().filter(s -> !s.occurredAt().isBefore(since)).toList();
    EngagementSignal latest =
        signals.stream().max(Comparator.comparing(EngagementSignal::occurredAt)).orElseThrow();
    String counts =
        byType(recent).entrySet().stream()
            .sorted(
                Comparator.comparingInt(
                        (Map.Entry<EngagementSignal.Type, List<EngagementSignal>> e) ->
                            -e.getValue().size())
                    .thenComparing(e -> e.getKey().ordinal()))
            .map(e -> e.getKey().count(e.getValue().size()))
            .collect(java.util.stream.Collectors.joining(", "));
    String text =
        (counts.isEmpty() ? "None" : capitalised(counts))
            + " in "
            + windowDays
            + " days; latest: "
            + latest.type().count(1).substring(2)
            + " "
            + ageText(latest.occurredAt(), now);
    return text.length() <= ScoreResult.SIGNALS_MAX
        ? text
        : text.substring(0, ScoreResult.SIGNALS_MAX - 1) + "…";
  }

  private double signalPoints(List<EngagementSignal> signals, Instant since) {
    Instant now = clock.instant();
    double points = 0;
    for (EngagementSignal s : signals) {
      if (!s.occurredAt().isBefore(since)) {
        points += decayed(s.type().wire(), Duration.between(s.occurredAt(), now));
      }
    }
    return points;
  }

  private static Map<EngagementSignal.Type, List<EngagementSignal>> byType(
      List<EngagementSignal> signals) {
    Map<EngagementSignal.Type, List<EngagementSignal>> out =
        new java.util.EnumMap<>(EngagementSignal.Type.class);
    signals.forEach(s -> out.computeIfAbsent(s.type(), t -> new ArrayList<>()).add(s));
    return out;
  }

  private static Instant newest(List<EngagementSignal> signals) {
    return signals.stream().map(EngagementSignal::occurredAt).max(Instant::compareTo).orElseThrow();
  }

  private static String capitalised(String text) {
    return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }

  /** The profile's grade for a score 0-100. */
  public String grade(int score) {
    return score >= profile.grades().get("A")
        ? "A"
        : score >= profile.grades().get("B") ? "B" : score >= profile.grades().get("C") ? "C" : "D";
  }

  public ScoringProfile profile() {
    return profile;
  }

  public ScoreResult score(CanonicalLead lead, Enrichment enrichment) {
    return score(lead, enrichment, List.of());
  }

  public ScoreResult score(
      CanonicalLead lead, Enrichment enrichment, List<EngagementSignal> signals) {
    Map<String, Object> facts = ScoringFacts.of(lead, enrichment);
    List<Factor> factors = new ArrayList<>();
    int fitPoints = 0;
    for (ScoringProfile.Rule rule : profile.fitRules()) {
      Object value = facts.get(rule.fact());
      if (rule.condition().test(value)) {
        fitPoints += rule.points();
        factors.add(
            new Factor(rule.points(), rule.reason().replace("{value}", String.valueOf(value))));
      }
    }
    int fit = clamp(fitPoints);

    Instant now = clock.instant();
    Engagement e = engagement(lead, signals);
    factors.addAll(e.factors());
    int engagement = e.score();

    int score =
        clamp((int) Math.round(profile.fitWeight() * fit + (1 - profile.fitWeight()) * engagement));
    String grade = grade(score);
    double probability =
        1 / (1 + Math.exp(-profile.probabilitySlope() * (score - profile.probabilityMidpoint())));
    return new ScoreResult(
        score,
        grade,
        Math.round(probability * 10_000) / 10_000.0,
        fit,
        engagement,
        topFactors(factors),
        profile.modelVersion(),
        now,
        summary(signals));
  }

  private double decayed(String kind, Duration age) {
    double weight = profile.engagementWeights().getOrDefault(kind, 0.0);
    double days = Math.max(0, age.toMinutes() / 1440.0);
    return weight * Math.pow(0.5, days / profile.halfLifeDays());
  }

  private static String ageText(Instant at, Instant now) {
    long days = Math.max(0, Duration.between(at, now).toDays());
    return days == 0 ? "today" : days == 1 ? "1 day ago" : days + " days ago";
  }

  /**
   * "+25 Senior decision maker; -10 Free e-mail address; ...", strongest first, within 1,024 chars.
   */
  public static String topFactors(List<Factor> factors) {
    StringBuilder out = new StringBuilder();
    factors.stream()
        .sorted(
            Comparator.comparingInt((Factor f) -> -Math.abs(f.points()))
                .thenComparing(Factor::text))
        .forEach(
            f -> {
              String item = (f.points() >= 0 ? "+" : "") + f.points() + " " + f.text();
              int extra = (out.length() == 0 ? 0 : 2) + item.length();
              if (out.length() + extra <= ScoreResult.TOP_FACTORS_MAX) {
                out.append(out.length() == 0 ? "" : "; ").append(item);
              }
            });
    return out.toString();
  }

  static int clamp(int v) {
    return Math.max(0, Math.min(100, v));
  }
}

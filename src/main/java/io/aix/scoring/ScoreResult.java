package io.aix.scoring;

import java.time.Instant;
import java.util.Objects;

/**
 * What a scorer says about one lead; these values become the AIX_ fields in the CRM.
 *
 * @param score 0-100
 * @param grade A-D
 * @param probability estimated conversion probability, 0-1
 * @param fit the fit part (who the lead is), 0-100
 * @param engagement the engagement part (what the lead did, decayed over time), 0-100
 * @param topFactors the strongest reasons in plain words, at most 1,024 characters
 * @param modelVersion which scorer and profile version produced this
 * @param signals the engagement-signal summary for reps ("2 forms submitted, 5 page views in 14
 *     days; latest: form submitted today"), empty without signals; at most 255 characters
 */
public record ScoreResult(
    int score,
    String grade,
    double probability,
    int fit,
    int engagement,
    String topFactors,
    String modelVersion,
    Instant scoredAt,
    String signals) {

  public static final int TOP_FACTORS_MAX = 1024;
  public static final int SIGNALS_MAX = 255;

  public ScoreResult {
    signals = signals == null ? "" : signals;
  }

  /**
   * Equal fingerprints mean a write would change nothing a rep can see (the time stamp aside), so
   * the write is skipped to save API budget.
   */
  public String fingerprint() {
    // The model version comes last: modelVersionOf reads it back.
    return score
        + "|"
        + grade
        + "|"
        + Math.round(probability * 1000)
        + "|"
        + fit
        + "|"
        + engagement
        + "|"
        + Objects.hashCode(topFactors)
        + "|"
        + (signals.isEmpty() ? "" : Objects.hashCode(signals) + "|")
        + modelVersion;
  }

  /** The model version a {@link #fingerprint()} was made with. */
  public static String modelVersionOf(String fingerprint) {
    return fingerprint == null ? null : fingerprint.substring(fingerprint.lastIndexOf('|') + 1);
  }
}

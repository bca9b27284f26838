package io.aix.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aix.model.BinaryModel.Algorithm;
import io.aix.model.TrainingData.Example;
import io.aix.persistence.AuditLog;
import io.aix.persistence.ModelStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.profile.CrmProfile;
import io.aix.profile.LiveCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Trains a challenger from a profile's own history and decides whether it replaces the champion.
 *
 * <ol>
 *   <li>The labelled leads AIX stored, oldest first, are checked ({@link TrainingValidation}).
 *   <li>They are split by time: the oldest 70% train, the next 15% calibrate and choose between
 *       logistic regression and XGBoost, the newest 15% are the test the decision rests on.
 *   <li>The challenger is promoted when there is no champion, or when on that same test its AUC is
 *       at least the champion's minus 0.005 and its calibration error is no worse (0.005
 *       tolerance). A champion trained on other feature groups than the mapping now feeds cannot be
 *       compared, and is replaced.
 *   <li>A promotion has every lead of the object scored again from the state AIX stored.
 * </ol>
 */
@ApplicationScoped
public class ModelTrainer {
  static final double AUC_TOLERANCE = 0.005;
  static final double CALIBRATION_TOLERANCE = 0.005;
  private static final Logger LOG = Logger.getLogger(ModelTrainer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject ModelStore store;
  @Inject LiveCatalog catalog;
  @Inject ChampionCache champions;
  @Inject AuditLog audit;

  /** What a training run did. */
  public record Outcome(
      Optional<ModelStore.Stored> version,
      boolean promoted,
      String reason,
      Map<String, Object> metrics) {}

  /** Test figures of one calibrated model. */
  record Figures(
      double auc, double brier, double logLoss, double calibrationError, double[] distribution) {
    Map<String, Object> asMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("auc", round(auc));
      m.put("brier", round(brier));
      m.put("log_loss", round(logLoss));
      m.put("calibration_error", round(calibrationError));
      // What scores should look like; the drift alert compares live scores with it (PSI).
      List<Double> shares = new ArrayList<>();
      for (double d : distribution) {
        shares.add(round(d));
      }
      m.put("test_distribution", shares);
      return m;
    }
  }

  public Outcome train(String profileId, String object) {
    return train(profileId, object, false);
  }

  /**
   * @param sabotage train on shuffled outcomes: a deliberately worthless challenger, for proving
   *     that the promotion rule refuses it
   */
  public Outcome train(String profileId, String object, boolean sabotage) {
    CrmProfile profile = catalog.profile(profileId);
    CrmProfile.ModelSettings settings = profile.model();
    LeadFeatures features =
        LeadFeatures.of(catalog.mapping(profile.object(object).orElseThrow().mapping()));
    List<Example> examples =
        TrainingData.of(
            profileId, object, ReactiveBridge.await(() -> store.history(profileId, object)));
    Map<String, ModelStore.Verdict> verdicts = new java.util.HashMap<>();
    if (settings.learnsFromFeedback()) {
      ReactiveBridge.await(() -> store.verdicts(profileId, object))
          .forEach(v -> verdicts.put(v.crmId(), v));
    }
    TrainingValidation.Report report;
    try {
      report =
          TrainingValidation.check(
              examples, features, settings.minLeads(), settings.minConversions());
      List<ModelStore.Stored> registered =
          ReactiveBridge.await(() -> store.versions(profileId, object));
      Optional<TrainingValidation.Previous> previous =
          registered.isEmpty()
              ? Optional.empty()
              : Optional.of(
                  new TrainingValidation.Previous(
                      registered.get(registered.size() - 1).version(),
                      registered.get(registered.size() - 1).validation()));
      report = report.withDrift(TrainingValidation.drift(report, previous));
    } catch (TrainingRefused refused) {
      LOG.warnf("%s %s: training refused: %s", profileId, object, refused.getMessage());
      attempt(profileId, object, "refused", refused.getMessage());
      return new Outcome(Optional.empty(), false, refused.getMessage(), Map.of());
    }
    int n = examples.size();
    List<Example> train = new ArrayList<>(examples.subList(0, (int) (n * 0.70)));
    List<Example> calibrate = examples.subList((int) (n * 0.70), (int) (n * 0.85));
    List<Example> test = examples.subList((int) (n * 0.85), n);
    for (List<Example> split : List.of(train, calibrate, test)) {
      long positives = split.stream().filter(Example::converted).count();
      if (positives == 0 || positives == split.size()) {
        String reason =
            "the conversions are not spread over time: one of the time-ordered splits (train,"
                + " calibrate, test) has one class only; wait for more history";
        LOG.warnf("%s %s: training refused: %s", profileId, object, reason);
        attempt(profileId, object, "refused", reason);
        return new Outcome(Optional.empty(), false, reason, Map.of());
      }
    }
    if (sabotage) {
      train = shuffledLabels(train);
    }

    BinaryModel best = null;
    Calibration bestCalibration = null;
    double bestAuc = -1;
    Map<String, Object> candidates = new LinkedHashMap<>();
    for (Algorithm algorithm : Algorithm.values()) {
      BinaryModel model = BinaryModel.train(algorithm, rows(train, features, verdicts), 42);
      double[] raw = raw(model, calibrate, features);
      boolean[] y = labels(calibrate);
      Calibration calibration = Calibration.fit(raw, y);
      double auc = Metrics.auc(raw, y);
      candidates.put(algorithm.name().toLowerCase(), round(auc));
      if (auc > bestAuc) {
        best = model;
        bestCalibration = calibration;
        bestAuc = auc;
      }
    }
    Figures challenger = figures(best, bestCalibration, features, test);
    Map<String, Object> metrics = new LinkedHashMap<>(challenger.asMap());
    metrics.put("calibration_split_auc", candidates);
    metrics.put("train_rows", train.size());
    metrics.put("test_rows", test.size());

    Feedback agreement = Feedback.of(verdicts, examples, best, bestCalibration, features);
    metrics.put("feedback", agreement.asMap());

    Optional<ModelStore.Stored> champion =
        ReactiveBridge.await(() -> store.champion(profileId, object));
    String reason;
    boolean promote;
    if (champion.isEmpty()) {
      promote = challenger.auc() > 0.55;
      reason =
          promote
              ? "first model for this object"
              : String.format("test AUC %.3f is no better than chance", challenger.auc());
    } else if (!champion.get().featureGroups().equals(features.groups())) {
      promote = true;
      reason = "the champion was trained on other feature groups than the mapping now feeds";
    } else {
      ChampionModel current;
      try {
        current = ChampionCache.load(champion.get(), features);
      } catch (RuntimeException corrupt) {
        current = null;
      }
      if (current == null) {
        promote = true;
        reason = "the stored champion cannot be read";
      } else {
        Figures held = figures(current.model(), current.calibration(), features, test);
        metrics.put("champion_on_same_test", held.asMap());
        promote =
            challenger.auc() >= held.auc() - AUC_TOLERANCE
                && challenger.calibrationError() <= held.calibrationError() + CALIBRATION_TOLERANCE;
        reason =
            String.format(
                "%s: AUC %.4f vs champion %.4f, calibration error %.4f vs %.4f",
                promote ? "promoted" : "kept the champion",
                challenger.auc(),
                held.auc(),
                challenger.calibrationError(),
                held.calibrationError());
      }
    }

    if (promote && agreement.verdicts() >= settings.minFeedback() && agreement.rate() < 0.5) {
      promote = false;
      reason =
          String.format(
              "kept the champion: it agrees with only %.0f%% of %d rep verdicts (it moves a"
                  + " flagged score the way the rep asked in fewer than half the cases; %s)",
              agreement.rate() * 100, agreement.verdicts(), reason);
    }

    ModelStore.Stored candidate =
        new ModelStore.Stored(
            0,
            profileId,
            object,
            0,
            best.algorithm().name().toLowerCase(),
            promote ? "challenger" : "rejected",
            reason,
            features.groups(),
            bestCalibration.a(),
            bestCalibration.b(),
            json(metrics),
            json(report),
            best.tribuoModel().getProvenance().toString(),
            bytes(best),
            Instant.now());
    ModelStore.Stored registered = ReactiveBridge.await(() -> store.register(candidate));
    if (promote) {
      ReactiveBridge.await(() -> store.promote(registered.id(), profileId, object, Instant.now()));
      champions.invalidate(profileId, object);
      audit.appendQuietly(
          AuditLog.SYSTEM,
          AuditLog.Action.MODEL_PROMOTE,
          profileId + "/" + object,
          "v" + registered.version() + " (" + registered.algorithm() + ") promoted: " + reason);
      LOG.infof(
          "%s %s: model v%d (%s) promoted: %s; every lead will be scored again",
          profileId, object, registered.version(), registered.algorithm(), reason);
    } else {
      LOG.infof(
          "%s %s: model v%d not promoted: %s", profileId, object, registered.version(), reason);
    }
    attempt(profileId, object, promote ? "promoted" : "rejected", reason);
    return new Outcome(Optional.of(registered), promote, reason, metrics);
  }

  private void attempt(String profileId, String object, String outcome, String reason) {
    ReactiveBridge.await(
        () -> store.recordAttempt(profileId, object, Instant.now(), outcome, reason));
  }

  static List<BinaryModel.Row> rows(List<Example> examples, LeadFeatures features) {
    return rows(examples, features, Map.of());
  }

  /**
   * Training rows. The feedback policy ({@code model.feedback: learn}): a lead whose outcome
   * confirmed a rep's verdict (Too low, and it converted; Too high, and it did not) counts {@link
   * #CONFIRMED_WEIGHT} times, so the model learns hardest where the last scorer was seen to be
   * wrong. Unconfirmed verdicts change no weight: a rep's hunch is not an outcome.
   */
  static List<BinaryModel.Row> rows(
      List<Example> examples, LeadFeatures features, Map<String, ModelStore.Verdict> verdicts) {
    return examples.stream()
        .map(
            e -> {
              ModelStore.Verdict v = verdicts.get(e.lead().key().crmId());
              boolean confirmed =
                  v != null
                      && ((v.feedback().equals("too_low") && e.converted())
                          || (v.feedback().equals("too_high") && !e.converted()));
              return new BinaryModel.Row(
                  features.encode(e.lead(), e.enrichment(), null),
                  e.converted(),
                  confirmed ? CONFIRMED_WEIGHT : 1f);
            })
        .toList();
  }

  static final float CONFIRMED_WEIGHT = 2f;

  /**
   * How often a model agrees with reps' verdicts: it gives a flagged lead a lower probability than
   * the one judged Too high, a higher one than the one judged Too low, one within 10 points of the
   * one judged Spot on. A check, not a test metric: flagged leads may be in the training rows.
   */
  record Feedback(int verdicts, int agreed, int confirmed) {
    double rate() {
      return verdicts == 0 ? 0 : agreed / (double) verdicts;
    }

    static Feedback of(
        Map<String, ModelStore.Verdict> verdicts,
        List<Example> examples,
        BinaryModel model,
        Calibration calibration,
        LeadFeatures features) {
      int n = 0;
      int agreed = 0;
      int confirmed = 0;
      for (Example e : examples) {
        ModelStore.Verdict v = verdicts.get(e.lead().key().crmId());
        if (v == null) {
          continue;
        }
        n++;
        double p =
            calibration.apply(model.probability(features.encode(e.lead(), e.enrichment(), null)));
        boolean agrees =
            switch (v.feedback()) {
              case "too_high" -> p < v.probability();
              case "too_low" -> p > v.probability();
              default -> Math.abs(p - v.probability()) <= 0.10;
            };
        agreed += agrees ? 1 : 0;
        confirmed +=
            (v.feedback().equals("too_low") && e.converted())
                    || (v.feedback().equals("too_high") && !e.converted())
                ? 1
                : 0;
      }
      return new Feedback(n, agreed, confirmed);
    }

    Map<String, Object> asMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("verdicts", verdicts);
      m.put("agreement", round(rate()));
      m.put("confirmed_by_outcome", confirmed);
      return m;
    }
  }

  private static double[] raw(BinaryModel model, List<Example> examples, LeadFeatures features) {
    double[] p = new double[examples.size()];
    for (int i = 0; i < p.length; i++) {
      Example e = examples.get(i);
      p[i] = model.probability(features.encode(e.lead(), e.enrichment(), null));
    }
    return p;
  }

  private static boolean[] labels(List<Example> examples) {
    boolean[] y = new boolean[examples.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = examples.get(i).converted();
    }
    return y;
  }

  static Figures figures(
      BinaryModel model, Calibration calibration, LeadFeatures features, List<Example> test) {
    double[] raw = raw(model, test, features);
    double[] p = new double[raw.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = calibration.apply(raw[i]);
    }
    boolean[] y = labels(test);
    return new Figures(
        Metrics.auc(p, y),
        Metrics.brier(p, y),
        Metrics.logLoss(p, y),
        Calibration.expectedCalibrationError(p, y),
        Metrics.histogram(p));
  }

  private static List<Example> shuffledLabels(List<Example> examples) {
    List<Boolean> labels = new ArrayList<>(examples.stream().map(Example::converted).toList());
    java.util.Collections.shuffle(labels, new java.util.Random(7));
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      Example e = examples.get(i);
      out.add(new Example(e.lead(), e.enrichment(), labels.get(i), e.at()));
    }
    return out;
  }

  private static byte[] bytes(BinaryModel model) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      model.tribuoModel().serializeToStream(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise the model", e);
    }
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}

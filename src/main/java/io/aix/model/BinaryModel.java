package io.aix.model;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.classification.xgboost.XGBoostClassificationTrainer;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * A Tribuo classifier of "converts / does not", and the probability it gives a lead. The two
 * algorithms AIX trains, with fixed seeds so that a run can be repeated.
 */
public final class BinaryModel {
  public static final Label CONVERTED = new Label("converted");
  public static final Label NOT_CONVERTED = new Label("not-converted");
  private static final LabelFactory LABELS = new LabelFactory();

  /** The algorithms AIX trains and compares. */
  public enum Algorithm {
    /** Logistic regression by AdaGrad SGD: fast, smooth, a reliable baseline. */
    LOGISTIC_REGRESSION,
    /** Gradient-boosted trees (XGBoost): interactions and thresholds without feature work. */
    XGBOOST;

    Trainer<Label> trainer(long seed) {
      return switch (this) {
        case LOGISTIC_REGRESSION ->
            new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.1, 1e-6), 10, -1, 1, seed);
        case XGBOOST ->
            new XGBoostClassificationTrainer(
                400, 0.05, 0.0, 6, 1.0, 0.8, 0.8, 1.0, 0.0, 2, true, seed);
      };
    }
  }

  private final Algorithm algorithm;
  private final Model<Label> model;

  private BinaryModel(Algorithm algorithm, Model<Label> model) {
    this.algorithm = algorithm;
    this.model = model;
  }

  /**
   * One training row: a lead's features, whether it converted, and how much it counts (1 for a
   * plain lead; more for a lead whose outcome confirmed a rep's verdict on its score).
   */
  public record Row(FeatureSet features, boolean converted, float weight) {
    public Row(FeatureSet features, boolean converted) {
      this(features, converted, 1f);
    }
  }

  /** A model read back from the registry. */
  @SuppressWarnings("unchecked")
  public static BinaryModel of(Algorithm algorithm, Model<?> model) {
    if (!(model.getOutputIDInfo().getDomain().iterator().next() instanceof Label)) {
      throw new IllegalArgumentException("not a classification model");
    }
    return new BinaryModel(algorithm, (Model<Label>) model);
  }

  public static BinaryModel train(Algorithm algorithm, List<Row> rows, long seed) {
    MutableDataset<Label> data =
        new MutableDataset<>(
            new SimpleDataSourceProvenance("aix training set", OffsetDateTime.now(), LABELS),
            LABELS);
    for (Row r : rows) {
      var example = r.features().example(r.converted() ? CONVERTED : NOT_CONVERTED);
      example.setWeight(r.weight());
      data.add(example);
    }
    return new BinaryModel(algorithm, algorithm.trainer(seed).train(data));
  }

  /** The model's probability that this lead converts. */
  public double probability(FeatureSet features) {
    Prediction<Label> p = model.predict(features.example(LABELS.getUnknownOutput()));
    Label converted = p.getOutputScores().get(CONVERTED.getLabel());
    return converted == null ? 0.0 : converted.getScore();
  }

  /**
   * The model's probabilities for many rows in one call, in their order: a tree ensemble builds one
   * matrix for all of them instead of one per row.
   */
  public double[] probabilities(List<FeatureSet> rows) {
    List<Example<Label>> examples = new ArrayList<>(rows.size());
    for (FeatureSet f : rows) {
      examples.add(f.example(LABELS.getUnknownOutput()));
    }
    List<Prediction<Label>> predictions = model.predict(examples);
    double[] out = new double[predictions.size()];
    for (int i = 0; i < out.length; i++) {
      Label converted = predictions.get(i).getOutputScores().get(CONVERTED.getLabel());
      out[i] = converted == null ? 0.0 : converted.getScore();
    }
    return out;
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  public Model<Label> tribuoModel() {
    return model;
  }
}

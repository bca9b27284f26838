package io.aix.model;

/**
 * Platt scaling: {@code p' = 1 / (1 + exp(-(a * logit(p) + b)))}, fitted by Newton's method on
 * held-out leads the model did not train on. Boosted trees in particular are over-confident; a rep
 * reading "80%" should see about 8 in 10 such leads convert.
 */
public record Calibration(double a, double b) {
  public static final Calibration IDENTITY = new Calibration(1, 0);

  public double apply(double p) {
    return sigmoid(a * logit(p) + b);
  }

  public static Calibration fit(double[] p, boolean[] positive) {
    // Platt's smoothed targets keep the fit finite when the classes separate.
    long pos = 0;
    for (boolean y : positive) {
      pos += y ? 1 : 0;
    }
    long neg = positive.length - pos;
    double hi = (pos + 1.0) / (pos + 2.0);
    double lo = 1.0 / (neg + 2.0);
    double a = 1;
    double b = 0;
    for (int iteration = 0; iteration < 100; iteration++) {
      double ga = 0;
      double gb = 0;
      double haa = 1e-9;
      double hab = 0;
      double hbb = 1e-9;
      for (int i = 0; i < p.length; i++) {
        double x = logit(p[i]);
        double q = sigmoid(a * x + b);
        double t = positive[i] ? hi : lo;
        double d = q - t;
        double w = q * (1 - q);
        ga += d * x;
        gb += d;
        haa += w * x * x;
        hab += w * x;
        hbb += w;
      }
      double det = haa * hbb - hab * hab;
      if (Math.abs(det) < 1e-12) {
        break;
      }
      double da = (hbb * ga - hab * gb) / det;
      double db = (haa * gb - hab * ga) / det;
      a -= da;
      b -= db;
      if (Math.abs(da) < 1e-9 && Math.abs(db) < 1e-9) {
        break;
      }
    }
    return new Calibration(a, b);
  }

  static double logit(double p) {
    double c = Math.min(1 - 1e-7, Math.max(1e-7, p));
    return Math.log(c / (1 - c));
  }

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  /**
   * Expected calibration error over ten equal-width bins: the average gap between predicted and
   * observed conversion rates, weighted by how many leads fall in each bin.
   */
  public static double expectedCalibrationError(double[] p, boolean[] positive) {
    double[] sumP = new double[10];
    double[] sumY = new double[10];
    int[] n = new int[10];
    for (int i = 0; i < p.length; i++) {
      int bin = Math.min(9, (int) (p[i] * 10));
      sumP[bin] += p[i];
      sumY[bin] += positive[i] ? 1 : 0;
      n[bin]++;
    }
    double ece = 0;
    for (int bin = 0; bin < 10; bin++) {
      if (n[bin] > 0) {
        ece += Math.abs(sumP[bin] - sumY[bin]) / p.length;
      }
    }
    return ece;
  }
}

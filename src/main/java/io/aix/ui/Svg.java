package io.aix.ui;

import java.util.List;
import java.util.Locale;

/**
 * Small server-side SVG charts for the sync-health page: no script, no CDN, nothing for the browser
 * to fetch. Every mark carries a {@code data-value} so tests can read what is drawn.
 */
final class Svg {
  static final int W = 520;
  static final int H = 200;
  private static final int PAD = 34;

  private Svg() {}

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static StringBuilder open(String id, String title) {
    StringBuilder b = new StringBuilder();
    b.append("<svg class=\"chart\" id=\"")
        .append(esc(id))
        .append("\" viewBox=\"0 0 ")
        .append(W)
        .append(' ')
        .append(H)
        .append("\" role=\"img\" aria-label=\"")
        .append(esc(title))
        .append("\">");
    b.append("<line x1=\"")
        .append(PAD)
        .append("\" y1=\"")
        .append(H - PAD)
        .append("\" x2=\"")
        .append(W - 8)
        .append("\" y2=\"")
        .append(H - PAD)
        .append("\" stroke=\"#888\"/>");
    b.append("<line x1=\"")
        .append(PAD)
        .append("\" y1=\"8\" x2=\"")
        .append(PAD)
        .append("\" y2=\"")
        .append(H - PAD)
        .append("\" stroke=\"#888\"/>");
    return b;
  }

  /** Height, in pixels, of a bar that is above zero but a sliver of the scale: still seen. */
  static final double MIN_BAR = 2.0;

  /**
   * Bars, one per value, with a label under every {@code labelEvery}-th. With a limit ({@code max >
   * 0}, say the API budget) the scale reaches at least the limit, drawn as a dashed line, so the
   * bars show how much of it is spent: 17 calls of a 250,000 budget are a sliver at the bottom, not
   * a full chart that reads as a spent budget.
   */
  static String bars(
      String id, String title, List<Long> values, List<String> labels, String color, long max) {
    StringBuilder b = open(id, title);
    long highest = values.stream().mapToLong(Long::longValue).max().orElse(0);
    boolean drawLimit = max > 0;
    long top = Math.max(1, Math.max(max, highest));
    double slot = (W - PAD - 12.0) / Math.max(1, values.size());
    b.append(axisLabel(top));
    for (int i = 0; i < values.size(); i++) {
      double h = (H - PAD - 10.0) * values.get(i) / top;
      if (values.get(i) > 0) {
        h = Math.max(MIN_BAR, h);
      }
      double x = PAD + 2 + i * slot;
      b.append("<rect class=\"mark\" data-value=\"")
          .append(values.get(i))
          .append("\" x=\"")
          .append(f(x))
          .append("\" y=\"")
          .append(f(H - PAD - h))
          .append("\" width=\"")
          .append(f(Math.max(1, slot - 3)))
          .append("\" height=\"")
          .append(f(h))
          .append("\" fill=\"")
          .append(color)
          .append("\"><title>")
          .append(esc(labels.get(i)))
          .append(": ")
          .append(values.get(i))
          .append("</title></rect>");
      int every = Math.max(1, values.size() / 6);
      if (i % every == 0) {
        b.append("<text x=\"")
            .append(f(x))
            .append("\" y=\"")
            .append(H - PAD + 14)
            .append("\" font-size=\"10\" fill=\"#444\">")
            .append(esc(labels.get(i)))
            .append("</text>");
      }
    }
    if (drawLimit) {
      double y = H - PAD - (H - PAD - 10.0) * max / top;
      b.append("<line class=\"limit\" x1=\"")
          .append(PAD)
          .append("\" x2=\"")
          .append(W - 8)
          .append("\" y1=\"")
          .append(f(y))
          .append("\" y2=\"")
          .append(f(y))
          .append("\" stroke=\"#c0392b\" stroke-dasharray=\"6 4\"/>");
    }
    return b.append("</svg>").toString();
  }

  /** Two series as lines over the same buckets. */
  static String lines(
      String id,
      String title,
      List<Long> first,
      String firstColor,
      List<Long> second,
      String secondColor,
      List<String> labels) {
    StringBuilder b = open(id, title);
    long top =
        Math.max(
            1,
            Math.max(
                first.stream().mapToLong(Long::longValue).max().orElse(1),
                second.stream().mapToLong(Long::longValue).max().orElse(1)));
    b.append(axisLabel(top));
    for (var series : List.of(List.of(first, firstColor), List.of(second, secondColor))) {
      @SuppressWarnings("unchecked")
      List<Long> values = (List<Long>) series.get(0);
      StringBuilder points = new StringBuilder();
      double slot = (W - PAD - 12.0) / Math.max(1, values.size() - 1);
      for (int i = 0; i < values.size(); i++) {
        double x = PAD + i * slot;
        double y = H - PAD - (H - PAD - 10.0) * values.get(i) / top;
        points.append(f(x)).append(',').append(f(y)).append(' ');
        b.append("<circle class=\"mark\" data-value=\"")
            .append(values.get(i))
            .append("\" cx=\"")
            .append(f(x))
            .append("\" cy=\"")
            .append(f(y))
            .append("\" r=\"2.5\" fill=\"")
            .append(series.get(1))
            .append("\"/>");
      }
      // The first series is drawn wider, so it shows where the second runs on top of it.
      b.append("<polyline fill=\"none\" stroke-width=\"")
          .append(series.get(1).equals(firstColor) ? 5 : 2)
          .append("\" stroke=\"")
          .append(series.get(1))
          .append("\" points=\"")
          .append(points.toString().trim())
          .append("\"/>");
    }
    int every = Math.max(1, labels.size() / 6);
    double slot = (W - PAD - 12.0) / Math.max(1, labels.size() - 1);
    for (int i = 0; i < labels.size(); i += every) {
      b.append("<text x=\"")
          .append(f(PAD + i * slot))
          .append("\" y=\"")
          .append(H - PAD + 14)
          .append("\" font-size=\"10\" fill=\"#444\">")
          .append(esc(labels.get(i)))
          .append("</text>");
    }
    return b.append("</svg>").toString();
  }

  /** Predicted (x) against observed (y) probability, with the diagonal of perfect calibration. */
  static String calibration(String id, String title, List<double[]> points) {
    StringBuilder b = open(id, title);
    double span = H - PAD - 10.0;
    double width = W - PAD - 12.0;
    b.append("<line x1=\"")
        .append(PAD)
        .append("\" y1=\"")
        .append(H - PAD)
        .append("\" x2=\"")
        .append(f(PAD + width))
        .append("\" y2=\"10\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>");
    for (double[] p : points) {
      b.append("<circle class=\"mark\" data-value=\"")
          .append(f(p[1] * 100))
          .append("\" cx=\"")
          .append(f(PAD + width * p[0]))
          .append("\" cy=\"")
          .append(f(H - PAD - span * p[1]))
          .append("\" r=\"")
          .append(f(Math.min(12, 3 + Math.sqrt(p[2]) / 2)))
          .append("\" fill=\"#2e86c1\"><title>predicted ")
          .append(f(p[0] * 100))
          .append("%, observed ")
          .append(f(p[1] * 100))
          .append("%, ")
          .append((long) p[2])
          .append(" leads</title></circle>");
    }
    b.append("<text x=\"")
        .append(W / 2 - 40)
        .append("\" y=\"")
        .append(H - 4)
        .append("\" font-size=\"10\" fill=\"#444\">predicted probability</text>");
    b.append("<text x=\"2\" y=\"12\" font-size=\"10\" fill=\"#444\">observed</text>");
    return b.append("</svg>").toString();
  }

  private static String axisLabel(long top) {
    return "<text x=\"2\" y=\"16\" font-size=\"10\" fill=\"#444\">" + top + "</text>";
  }
}

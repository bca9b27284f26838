package io.aix.model;

import io.aix.enrichment.Enrichment;
import io.aix.lead.CanonicalLead;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A trained, calibrated model ready to score: the Tribuo model, its calibration, the feature groups
 * it was trained on, and the words it explains itself with.
 *
 * @param version the registry's name for it, written to the CRM as the model version
 */
public record ChampionModel(
    String version, BinaryModel model, Calibration calibration, LeadFeatures features) {

  /** One reason: how many percentage points a group moves this lead's probability. */
  public record Reason(String group, String value, double points) {
    public String text() {
      String label = LeadFeatures.GROUPS.getOrDefault(group, group);
      return value == null ? label + " not given" : label + ": " + value;
    }
  }

  /** One lead's calibrated probability and its reasons, strongest first. */
  public record Scored(double probability, List<Reason> reasons) {}

  /**
   * {@link #probability} and {@link #reasons} of many leads, with one model call for all of them
   * and all their group-less variants: the same figures, a batch at once.
   */
  public List<Scored> scoreAll(List<CanonicalLead> leads, List<Enrichment> enrichments) {
    List<String> groups = List.copyOf(features.groups());
    int per = groups.size() + 1;
    List<FeatureSet> rows = new ArrayList<>(leads.size() * per);
    for (int i = 0; i < leads.size(); i++) {
      rows.add(features.encode(leads.get(i), enrichments.get(i), null));
      for (String group : groups) {
        rows.add(features.encode(leads.get(i), enrichments.get(i), group));
      }
    }
    double[] raw = model.probabilities(rows);
    List<Scored> out = new ArrayList<>(leads.size());
    for (int i = 0; i < leads.size(); i++) {
      double probability = calibration.apply(raw[i * per]);
      List<Reason> reasons = new ArrayList<>();
      for (int g = 0; g < groups.size(); g++) {
        double without = calibration.apply(raw[i * per + 1 + g]);
        double points = (probability - without) * 100;
        if (Math.abs(points) >= 0.5) {
          reasons.add(
              new Reason(
                  groups.get(g),
                  LeadFeatures.describe(leads.get(i), enrichments.get(i), groups.get(g)),
                  points));
        }
      }
      reasons.sort(Comparator.comparingDouble((Reason r) -> -Math.abs(r.points())));
      out.add(new Scored(probability, reasons));
    }
    return out;
  }

  public double probability(CanonicalLead lead, Enrichment e) {
    return calibration.apply(model.probability(features.encode(lead, e, null)));
  }

  /**
   * The groups that move this lead's probability most, each measured as the change when the group
   * is taken away (reported as missing): positive means it raises the probability.
   */
  public List<Reason> reasons(CanonicalLead lead, Enrichment e, double probability) {
    List<Reason> reasons = new ArrayList<>();
    for (String group : features.groups()) {
      double without = calibration.apply(model.probability(features.encode(lead, e, group)));
      double points = (probability - without) * 100;
      if (Math.abs(points) >= 0.5) {
        reasons.add(new Reason(group, LeadFeatures.describe(lead, e, group), points));
      }
    }
    reasons.sort(Comparator.comparingDouble((Reason r) -> -Math.abs(r.points())));
    return reasons;
  }
}

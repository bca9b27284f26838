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

package io.aix.pipeline;

import io.aix.profile.ConfigCatalog;
import io.aix.scoring.RulesScorer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Stage {@code score}: the profile's scoring profile (rules, until a model is promoted). */
@ApplicationScoped
@Named("scorer")
public class ScoreStage {
  @Inject ConfigCatalog catalog;

  private final Map<String, RulesScorer> scorers = new ConcurrentHashMap<>();

  public void score(LeadWork work) {
    String scoringId = catalog.profile(work.lead().key().profileId()).scoringProfile();
    RulesScorer scorer =
        scorers.computeIfAbsent(
            scoringId, id -> new RulesScorer(catalog.scoring(id), Clock.systemUTC()));
    work.score(scorer.score(work.lead(), work.enrichment()));
  }
}

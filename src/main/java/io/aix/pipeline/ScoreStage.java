package io.aix.pipeline;

import io.aix.model.ChampionCache;
import io.aix.model.ChampionModel;
import io.aix.model.ModelScorer;
import io.aix.profile.LiveCatalog;
import io.aix.scoring.RulesScorer;
import io.aix.scoring.ScoringProfile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stage {@code score}: the champion model of the profile and object when one is promoted, otherwise
 * the profile's rules scorer (the cold start).
 */
@ApplicationScoped
@Named("scorer")
public class ScoreStage {
  @Inject LiveCatalog catalog;
  @Inject ChampionCache champions;

  private final Map<ScoringProfile, RulesScorer> rules = new ConcurrentHashMap<>();

  public void score(LeadWork work) {
    String profileId = work.lead().key().profileId();
    String object = work.lead().key().crmObject();
    RulesScorer rulesScorer = rules(profileId);
    Optional<ChampionModel> champion = champions.champion(profileId, object);
    work.score(
        champion.isPresent()
            ? new ModelScorer(champion.get(), rulesScorer, Clock.systemUTC())
                .score(work.lead(), work.enrichment(), work.signals())
            : rulesScorer.score(work.lead(), work.enrichment(), work.signals()));
  }

  /** The model version that scores this profile and object now. */
  public String currentVersion(String profileId, String object) {
    return champions
        .champion(profileId, object)
        .map(ChampionModel::version)
        .orElseGet(() -> rules(profileId).profile().modelVersion());
  }

  /** The rules scorer of a profile (its engagement weights, half-life and grades). */
  public RulesScorer rules(String profileId) {
    // Keyed by the profile itself: a reloaded scoring profile gets its own scorer at once.
    ScoringProfile scoring = catalog.scoring(catalog.profile(profileId).scoringProfile());
    return rules.computeIfAbsent(scoring, p -> new RulesScorer(p, Clock.systemUTC()));
  }
}

package io.aix.pipeline;

import io.aix.model.ChampionCache;
import io.aix.model.ChampionModel;
import io.aix.model.ModelScorer;
import io.aix.profile.LiveCatalog;
import io.aix.scoring.RulesScorer;
import io.aix.scoring.ScoreResult;
import io.aix.scoring.ScoringProfile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

  /** A profile's scorer, and the scoring profile it was made from. */
  private record Cached(ScoringProfile scoring, RulesScorer scorer) {}

  private final Map<String, Cached> rules = new ConcurrentHashMap<>();

  /**
   * The batch's records still to be scored, each profile and object's at once: its scorer is looked
   * up once, and a champion model scores all of them in one call. When that call fails, the records
   * are scored one by one, so only the one that fails is dead-lettered.
   */
  public void scoreBatch(List<LeadWork> batch) {
    Map<String, List<LeadWork>> byObject = new LinkedHashMap<>();
    for (LeadWork w : batch) {
      if (w.isChanged()) {
        byObject
            .computeIfAbsent(
                w.lead().key().profileId() + "\n" + w.lead().key().crmObject(),
                k -> new ArrayList<>())
            .add(w);
      }
    }
    for (List<LeadWork> works : byObject.values()) {
      String profileId = works.get(0).lead().key().profileId();
      String object = works.get(0).lead().key().crmObject();
      RulesScorer rulesScorer;
      Optional<ChampionModel> champion;
      try {
        rulesScorer = rules(profileId);
        champion = champions.champion(profileId, object);
      } catch (RuntimeException e) {
        // As when each record looked its scorer up: each is dead-lettered with the failure.
        DeadLetterStage.eachRecord(
            works,
            false,
            w -> {
              throw e;
            });
        continue;
      }
      if (champion.isEmpty()) {
        DeadLetterStage.eachRecord(
            works, false, w -> w.score(rulesScorer.score(w.lead(), w.enrichment(), w.signals())));
        continue;
      }
      ModelScorer scorer = new ModelScorer(champion.get(), rulesScorer, Clock.systemUTC());
      List<ScoreResult> results;
      try {
        results =
            scorer.scoreAll(
                works.stream()
                    .map(w -> new ModelScorer.Input(w.lead(), w.enrichment(), w.signals()))
                    .toList());
      } catch (RuntimeException e) {
        DeadLetterStage.eachRecord(
            works, false, w -> w.score(scorer.score(w.lead(), w.enrichment(), w.signals())));
        continue;
      }
      for (int i = 0; i < works.size(); i++) {
        works.get(i).score(results.get(i));
      }
    }
  }

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
    // Checked against the profile object itself (not its deep hash, per lead): a reloaded scoring
    // profile is a new object and gets its own scorer at once.
    ScoringProfile scoring = catalog.scoring(catalog.profile(profileId).scoringProfile());
    Cached cached = rules.get(profileId);
    if (cached == null || cached.scoring() != scoring) {
      cached = new Cached(scoring, new RulesScorer(scoring, Clock.systemUTC()));
      rules.put(profileId, cached);
    }
    return cached.scorer();
  }
}

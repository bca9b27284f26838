package io.aix.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aix.model.ChampionCache;
import io.aix.persistence.AuditLog;
import io.aix.persistence.ModelStore;
import io.aix.profile.LiveCatalog;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * {@code /api/v1/models/{profile}/{object}}: which model scores, why the rules scorer still does
 * when no model may, every registered version with its figures and its training set's validation
 * report; and, for {@code aix-admin}, promoting a version by hand or rolling back to the previous
 * champion. A promotion re-scores the whole population, as an automatic one does.
 */
@Path("/api/v1/models/{profile}/{object}")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {
  private static final Logger LOG = Logger.getLogger(ModelResource.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject ModelStore store;
  @Inject ChampionCache champions;
  @Inject LiveCatalog catalog;
  @Inject SecurityIdentity identity;
  @Inject AuditLog audit;

  /** One registered version, without the model's bytes. */
  public record Version(
      int version,
      String algorithm,
      String status,
      String reason,
      Instant trainedAt,
      JsonNode metrics) {}

  /**
   * The state of one profile's object.
   *
   * @param scoring {@code model vN} or {@code rules}
   * @param lastTraining the last attempt, refused ones included: why the rules may still be in
   *     charge
   * @param feedback reps' verdicts per scorer version ({@code model_version} of the judged score)
   */
  public record Models(
      String profile,
      String object,
      String scoring,
      ModelStore.Attempt lastTraining,
      List<Version> versions,
      List<ModelStore.FeedbackCount> feedback) {}

  @GET
  @RolesAllowed({"aix-viewer", "aix-integrator", "aix-admin"})
  public Uni<Models> list(
      @PathParam("profile") String profile, @PathParam("object") String object) {
    known(profile, object);
    return store
        .versions(profile, object)
        .chain(
            versions ->
                store
                    .lastAttempt(profile, object)
                    .chain(
                        last ->
                            store
                                .feedback(profile, object)
                                .map(
                                    feedback ->
                                        new Models(
                                            profile,
                                            object,
                                            versions.stream()
                                                .filter(v -> v.status().equals("champion"))
                                                .findFirst()
                                                .map(v -> "model v" + v.version())
                                                .orElse("rules"),
                                            last.orElse(null),
                                            versions.stream().map(ModelResource::version).toList(),
                                            feedback))));
  }

  @GET
  @Path("{version}/validation")
  @RolesAllowed({"aix-viewer", "aix-integrator", "aix-admin"})
  public Uni<JsonNode> validation(
      @PathParam("profile") String profile,
      @PathParam("object") String object,
      @PathParam("version") int version) {
    known(profile, object);
    return find(profile, object, version).map(v -> json(v.validation()));
  }

  @POST
  @Path("{version}/promote")
  @RolesAllowed("aix-admin")
  public Uni<Models> promote(
      @PathParam("profile") String profile,
      @PathParam("object") String object,
      @PathParam("version") int version) {
    known(profile, object);
    return find(profile, object, version)
        .chain(
            v -> {
              if (v.status().equals("rejected")) {
                throw conflict(
                    "version "
                        + version
                        + " was rejected when it was trained ("
                        + v.reason()
                        + "); train a better one instead");
              }
              if (v.status().equals("champion")) {
                throw conflict("version " + version + " is the champion already");
              }
              return promote(profile, object, v, false);
            });
  }

  @POST
  @Path("rollback")
  @RolesAllowed("aix-admin")
  public Uni<Models> rollback(
      @PathParam("profile") String profile, @PathParam("object") String object) {
    known(profile, object);
    return store
        .previousChampion(profile, object)
        .chain(
            previous ->
                previous
                    .map(v -> promote(profile, object, v, true))
                    .orElseThrow(
                        () -> conflict("no earlier champion of " + profile + " " + object)));
  }

  /**
   * Makes {@code v} the champion, by hand or as a roll-back; audited, then every lead re-scored.
   */
  private Uni<Models> promote(
      String profile, String object, ModelStore.Stored v, boolean rollback) {
    String how = rollback ? "rolled back to" : "promoted by hand";
    String model = "v" + v.version() + " (" + v.algorithm() + ")";
    return store
        .promote(v.id(), profile, object, Instant.now())
        .call(
            () ->
                audit.append(
                    identity.getPrincipal().getName(),
                    rollback ? AuditLog.Action.MODEL_ROLLBACK : AuditLog.Action.MODEL_PROMOTE,
                    profile + "/" + object,
                    rollback ? how + " " + model : model + " " + how))
        .invoke(
            () -> {
              champions.invalidate(profile, object);
              LOG.infof(
                  "%s %s: model v%d %s %s; every lead will be scored again",
                  profile, object, v.version(), how, identity.getPrincipal().getName());
            })
        .chain(() -> list(profile, object));
  }

  private Uni<ModelStore.Stored> find(String profile, String object, int version) {
    return store
        .versions(profile, object)
        .map(
            versions -> {
              Optional<ModelStore.Stored> found =
                  versions.stream().filter(v -> v.version() == version).findFirst();
              return found.orElseThrow(
                  () ->
                      new NotFoundException(
                          "no model version " + version + " of " + profile + " " + object));
            });
  }

  /** Refuses profiles and objects that are not configured, before any query. */
  private void known(String profile, String object) {
    if (!catalog.profiles().containsKey(profile)
        || catalog.profile(profile).object(object).isEmpty()) {
      throw new NotFoundException("no CRM profile " + profile + " syncing " + object);
    }
  }

  private static Version version(ModelStore.Stored v) {
    return new Version(
        v.version(), v.algorithm(), v.status(), v.reason(), v.trainedAt(), json(v.metrics()));
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return JSON.getNodeFactory().textNode(text);
    }
  }

  private static ClientErrorException conflict(String message) {
    return new ClientErrorException(
        Response.status(Response.Status.CONFLICT)
            .type(MediaType.APPLICATION_JSON)
            .entity(java.util.Map.of("error", message))
            .build());
  }
}

package io.aix.api;

import io.aix.persistence.DeadLetterEntity;
import io.aix.persistence.DeadLetterStore;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * {@code /api/v1/dead-letters}: what AIX refused and why, for viewers; replay, for integrators (and
 * admins) once the cause is fixed. The same operations as {@code ./aix dead-letters}.
 */
@Path("/api/v1/dead-letters")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class DeadLetterResource {
  @Inject DeadLetterStore store;

  /** One dead letter; {@code payload} only when asked for one by id. */
  public record DeadLetter(
      long id,
      String profile,
      String object,
      String crmId,
      String stage,
      String code,
      String reason,
      OffsetDateTime version,
      OffsetDateTime createdAt,
      OffsetDateTime replayedAt,
      String payload) {
    static DeadLetter of(DeadLetterEntity d, boolean withPayload) {
      return new DeadLetter(
          d.id,
          d.profileId,
          d.crmObject,
          d.crmId,
          d.stage,
          d.errorCode,
          d.reason,
          d.crmModifiedAt,
          d.createdAt,
          d.replayedAt,
          withPayload ? d.payload : null);
    }
  }

  /** How many dead letters went back into the work queue. */
  public record Replayed(int queued) {}

  @GET
  @RolesAllowed({"aix-viewer", "aix-integrator", "aix-admin"})
  public Uni<List<DeadLetter>> list(
      @QueryParam("profile") String profile,
      @QueryParam("includeReplayed") @DefaultValue("false") boolean includeReplayed,
      @QueryParam("limit") @DefaultValue("50") int limit) {
    if (limit < 1 || limit > 1000) {
      throw new BadRequestException("limit must be between 1 and 1000");
    }
    return store
        .list(profile, includeReplayed, limit)
        .map(letters -> letters.stream().map(d -> DeadLetter.of(d, false)).toList());
  }

  @GET
  @Path("{id}")
  @RolesAllowed({"aix-viewer", "aix-integrator", "aix-admin"})
  public Uni<DeadLetter> get(@PathParam("id") long id) {
    return store
        .get(id)
        .map(
            found ->
                found
                    .map(d -> DeadLetter.of(d, true))
                    .orElseThrow(() -> new NotFoundException("no dead letter " + id)));
  }

  @POST
  @Path("{id}/replay")
  @RolesAllowed({"aix-integrator", "aix-admin"})
  public Uni<Replayed> replay(@PathParam("id") long id) {
    return store
        .get(id)
        .chain(
            found -> {
              if (found.isEmpty()) {
                throw new NotFoundException("no dead letter " + id);
              }
              return store.replay(null, List.of(id), Instant.now());
            })
        .map(Replayed::new);
  }

  /** Every open dead letter of one profile. */
  @POST
  @Path("replay")
  @RolesAllowed({"aix-integrator", "aix-admin"})
  public Uni<Replayed> replayAll(@QueryParam("profile") String profile) {
    if (profile == null || profile.isBlank()) {
      throw new BadRequestException("name the profile whose dead letters to replay: ?profile=");
    }
    return store.replay(profile, List.of(), Instant.now()).map(Replayed::new);
  }
}

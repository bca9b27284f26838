package io.aix.api;

import io.aix.persistence.DryRunStore;
import io.aix.profile.LiveCatalog;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * {@code /api/v1/dry-run/{profile}}: what a profile in dry run ({@code dryRun: true}) would have
 * written, newest first: per record and score version, each CRM field that would change (before,
 * after) and the task it would create.
 */
@Path("/api/v1/dry-run")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class DryRunResource {
  @Inject DryRunStore store;
  @Inject LiveCatalog catalog;

  /** The profile's dry-run state and its newest would-be writes. */
  public record DryRun(
      String profile, boolean dryRun, long recorded, List<DryRunStore.Entry> writes) {}

  @GET
  @Path("{profile}")
  @RolesAllowed({"aix-viewer", "aix-integrator", "aix-admin"})
  public Uni<DryRun> list(
      @PathParam("profile") String profile, @QueryParam("limit") @DefaultValue("50") int limit) {
    if (limit < 1 || limit > 1000) {
      throw new BadRequestException("limit must be between 1 and 1000");
    }
    if (!catalog.profiles().containsKey(profile)) {
      throw new NotFoundException("no CRM profile '" + profile + "'");
    }
    boolean dryRun = catalog.profile(profile).writeback().dryRun();
    return store
        .count(profile)
        .chain(n -> store.latest(profile, limit).map(w -> new DryRun(profile, dryRun, n, w)));
  }
}

package io.aix.api;

import io.aix.persistence.AuditLog;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** {@code /api/v1/audit}: the audit log, newest first, for {@code aix-admin}. */
@Path("/api/v1/audit")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {
  @Inject AuditLog audit;

  @GET
  @RolesAllowed("aix-admin")
  public Uni<List<AuditLog.Entry>> list(
      @QueryParam("action") String action,
      @QueryParam("since") String since,
      @QueryParam("limit") @DefaultValue("100") int limit) {
    if (limit < 1 || limit > 1000) {
      throw new BadRequestException("limit must be between 1 and 1000");
    }
    if (action != null && !action.matches("[a-z]+(\\.[a-z]+)*")) {
      throw new BadRequestException("action is a word like crm.write or subject.erase");
    }
    Instant from = null;
    if (since != null) {
      try {
        from = Instant.parse(since);
      } catch (DateTimeParseException e) {
        throw new BadRequestException("since is an ISO-8601 instant, like 2026-11-25T00:00:00Z");
      }
    }
    return audit.list(action, from, limit);
  }
}

package io.aix.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.persistence.AuditLog;
import io.aix.persistence.SubjectStore;
import io.aix.privacy.PrivacyService;
import io.aix.privacy.Subject;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * {@code /api/v1/subjects/{email}}: a data subject's rights, for {@code aix-admin} only. GET
 * exports everything AIX holds on the person (access, portability); DELETE erases it from every AIX
 * table, keeps a hash so the person is not ingested again, and with {@code ?propagate=true} also
 * erases them in each CRM whose profile allows it ({@code privacy.eraseInCrm}).
 */
@Path("/api/v1/subjects/{email}")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class SubjectResource {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject SubjectStore store;
  @Inject PrivacyService privacy;
  @Inject AuditLog audit;
  @Inject SecurityIdentity identity;

  @GET
  @RolesAllowed("aix-admin")
  public Uni<JsonNode> export(@PathParam("email") String email) {
    Subject subject = subject(email);
    return store
        .export(subject)
        .chain(
            records ->
                store
                    .isErased(subject)
                    .map(
                        erased -> {
                          ObjectNode out = JSON.createObjectNode();
                          out.put("email", subject.email());
                          out.put("subject", subject.hash());
                          out.put("erased", erased);
                          try {
                            out.set("records", JSON.readTree(records));
                          } catch (IOException e) {
                            throw new UncheckedIOException(e);
                          }
                          return (JsonNode) out;
                        }))
        .call(
            out ->
                audit.append(
                    actor(),
                    AuditLog.Action.SUBJECT_EXPORT,
                    "subject:" + subject.hash(),
                    out.path("records").size() + " record(s) exported"));
  }

  @DELETE
  @Blocking
  @RolesAllowed("aix-admin")
  public PrivacyService.Erasure erase(
      @PathParam("email") String email,
      @QueryParam("propagate") @DefaultValue("false") boolean propagate) {
    return privacy.erase(subject(email), propagate, actor(), Optional.empty());
  }

  private static Subject subject(String email) {
    return Subject.parse(email)
        .orElseThrow(() -> new BadRequestException("a subject is named by an email address"));
  }

  private String actor() {
    return identity.getPrincipal().getName();
  }
}

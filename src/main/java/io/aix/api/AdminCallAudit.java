package io.aix.api;

import io.aix.persistence.AuditLog;
import io.aix.privacy.Subject;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every call to {@code /api/v1} that changes something (any method but GET) goes into the audit log
 * with who made it and how it ended, refused ones included. Emails in paths are replaced by their
 * subject hash.
 */
public class AdminCallAudit {
  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(AdminCallAudit.class);

  private static final Pattern SUBJECT = Pattern.compile("(/api/v1/subjects/)([^/?]+)");

  @Inject AuditLog audit;
  @Inject SecurityIdentity identity;

  @ServerResponseFilter
  public Uni<Void> audit(ContainerRequestContext request, ContainerResponseContext response) {
    String path = request.getUriInfo().getPath();
    if (!path.startsWith("/api/v1/")
        || request.getMethod().equals("GET")
        || request.getMethod().equals("HEAD")
        || request.getMethod().equals("OPTIONS")) {
      return Uni.createFrom().voidItem();
    }
    String actor = identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    String target = request.getMethod() + " " + withoutEmails(path);
    String details = "status " + response.getStatus();
    // The call has happened: an audit line that cannot be stored is logged, not turned into an
    // error answer for a change that was made.
    if (Context.isOnEventLoopThread()) {
      return audit
          .append(actor, AuditLog.Action.API_CALL, target, details)
          .onFailure()
          .recoverWithUni(
              e -> {
                LOG.errorf(e, "Could not audit %s %s (%s)", actor, target, details);
                return Uni.createFrom().voidItem();
              });
    }
    // A blocking endpoint's filter runs on its worker thread, outside a reactive session.
    audit.appendQuietly(actor, AuditLog.Action.API_CALL, target, details);
    return Uni.createFrom().voidItem();
  }

  static String withoutEmails(String path) {
    Matcher m = SUBJECT.matcher(path);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(
          out, Matcher.quoteReplacement(m.group(1) + "subject:" + Subject.hashOf(m.group(2))));
    }
    m.appendTail(out);
    return out.toString();
  }
}

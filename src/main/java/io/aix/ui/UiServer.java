package io.aix.ui;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The admin pages, on their own port, bound to the loopback interface by default: they show
 * dead-letter reasons, which can hold personal data, and the API's OIDC bearer tokens do not suit a
 * browser. Reach them on the machine, or through {@code kubectl port-forward} (README). {@code
 * aix.ui.host=0.0.0.0} opens them wider, behind a proxy that authenticates.
 */
@ApplicationScoped
public class UiServer {
  private static final Logger LOG = Logger.getLogger(UiServer.class);

  @Inject Vertx vertx;
  @Inject SyncHealthPage page;

  @ConfigProperty(name = "aix.ui.enabled", defaultValue = "true")
  boolean enabled;

  @ConfigProperty(name = "aix.ui.host", defaultValue = "127.0.0.1")
  String host;

  @ConfigProperty(name = "aix.ui.port", defaultValue = "8089")
  int port;

  private HttpServer server;

  /** Starts serving (once); yields the port, or -1 when the pages are off. */
  public synchronized int start() {
    if (!enabled) {
      return -1;
    }
    if (server != null) {
      return server.actualPort();
    }
    CompletableFuture<HttpServer> started = new CompletableFuture<>();
    vertx
        .createHttpServer()
        .requestHandler(
            request -> {
              String path = request.path();
              if (!request.method().name().equals("GET")) {
                request.response().setStatusCode(405).end();
              } else if (path.equals("/")) {
                request.response().setStatusCode(302).putHeader("Location", "/sync-health").end();
              } else if (path.equals("/sync-health")) {
                vertx
                    .<String>executeBlocking(page::render)
                    .onComplete(
                        html -> {
                          if (html.succeeded()) {
                            request
                                .response()
                                .putHeader("Content-Type", "text/html; charset=utf-8")
                                .putHeader(
                                    "Content-Security-Policy",
                                    "default-src 'none'; style-src 'unsafe-inline';"
                                        + " frame-ancestors 'none'")
                                .putHeader("X-Content-Type-Options", "nosniff")
                                .putHeader("Cache-Control", "no-store")
                                .end(html.result());
                          } else {
                            LOG.error("sync-health page failed", html.cause());
                            request
                                .response()
                                .setStatusCode(500)
                                .end("the page failed; see the log");
                          }
                        });
              } else {
                request.response().setStatusCode(404).end();
              }
            })
        .listen(port, host)
        .onComplete(
            r -> {
              if (r.succeeded()) {
                started.complete(r.result());
              } else {
                started.completeExceptionally(r.cause());
              }
            });
    try {
      server = started.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warnf(
          "The sync-health page is off: cannot listen on %s:%d (%s)", host, port, e.getMessage());
      return -1;
    }
    LOG.infof("Sync health: http://%s:%d/sync-health", host, server.actualPort());
    return server.actualPort();
  }

  @jakarta.annotation.PreDestroy
  synchronized void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }
}

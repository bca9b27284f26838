package io.aix.connector.hubspot;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The loopback end of an OAuth authorization-code flow run from a command line: a tiny HTTP server
 * on {@code localhost:port} that takes the one redirect the browser brings back. It accepts the
 * redirect only with the {@code state} the install put in the authorize URL (compared in constant
 * time); a missing or other state, an {@code error} answer or a missing code ends the install. The
 * browser's request is held until the install is done, so the tab says whether it worked.
 *
 * <p>Threads: the JDK server's own two; {@link #await} is called by the install's thread, which
 * then calls {@link #finish} once.
 */
final class OAuthRedirectReceiver implements AutoCloseable {
  /** What the redirect brought. */
  sealed interface Answer {
    record Code(String code) implements Answer {}

    record Refused(String reason) implements Answer {}
  }

  /** How long the browser's request waits for the install to finish before it is told to wait. */
  private static final Duration HOLD = Duration.ofSeconds(60);

  private final HttpServer server;
  private final ExecutorService threads;
  private final String path;
  private final byte[] state;
  private final CompletableFuture<Answer> answer = new CompletableFuture<>();
  private final CompletableFuture<String> finalPage = new CompletableFuture<>();

  private OAuthRedirectReceiver(HttpServer server, String path, String state) {
    this.server = server;
    this.path = path;
    this.state = state.getBytes(StandardCharsets.UTF_8);
    this.threads = Executors.newFixedThreadPool(2);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
  }

  /**
   * Listens on the loopback interface only, so nothing else on the network can answer in the
   * browser's place.
   */
  static OAuthRedirectReceiver start(int port, String path, String state) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    OAuthRedirectReceiver receiver = new OAuthRedirectReceiver(server, path, state);
    server.start();
    return receiver;
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** The redirect's answer; a {@link TimeoutException} when none came in time. */
  Answer await(Duration timeout) throws TimeoutException, InterruptedException {
    try {
      return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The page the browser's held request gets: what came of the install. */
  void finish(String message) {
    finalPage.complete(message);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())
          || !path.equals(exchange.getRequestURI().getPath())) {
        reply(exchange, 404, "Not found.");
        return;
      }
      if (answer.isDone()) {
        reply(exchange, 409, "This install has had its answer already. You may close this tab.");
        return;
      }
      Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
      String given = q.get("state");
      // A refusal is answered before the install hears of it: the install then closes the server.
      if (given == null || !MessageDigest.isEqual(state, given.getBytes(StandardCharsets.UTF_8))) {
        refuse(
            exchange,
            "AIX refused this answer: it does not belong to the install it started. Nothing was"
                + " installed.",
            given == null
                ? "the redirect carried no state: it is not the answer to this install"
                : "the redirect's state is not this install's: a forged or stale redirect");
        return;
      }
      if (q.containsKey("error")) {
        refuse(
            exchange,
            "HubSpot did not connect the app.",
            "HubSpot answered "
                + q.get("error")
                + (q.containsKey("error_description") ? ": " + q.get("error_description") : ""));
        return;
      }
      String code = q.get("code");
      if (code == null || code.isBlank()) {
        refuse(exchange, "The answer carried no code.", "the redirect carried no code");
        return;
      }
      answer.complete(new Answer.Code(code));
      String page;
      try {
        page = finalPage.get(HOLD.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException e) {
        page = "AIX has HubSpot's answer; the command line tells how the install ends.";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        page = "AIX has HubSpot's answer; the command line tells how the install ends.";
      }
      reply(exchange, 200, page + " You may close this tab.");
    }
  }

  private void refuse(HttpExchange exchange, String page, String reason) throws IOException {
    try {
      reply(exchange, 400, page + " You may close this tab.");
    } finally {
      answer.complete(new Answer.Refused(reason));
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      // A parameter twice (say two states) is refused by taking neither as trusted: keep the
      // first, and a second state makes the comparison see a mismatch below.
      if (out.containsKey(key)) {
        out.put(key, out.get(key) + "\u0000" + value);
      } else {
        out.put(key, value);
      }
    }
    return out;
  }

  /** A plain page: no script, nothing loaded, nothing cached. */
  private static void reply(HttpExchange exchange, int status, String message) throws IOException {
    String escaped = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    byte[] body =
        ("<!DOCTYPE html><meta charset=\"utf-8\"><title>AIX install</title><p>"
                + escaped
                + "</p>\n")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'");
    exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Stops listening; a held browser request first gets its page (up to five seconds). */
  @Override
  public void close() {
    finalPage.complete("AIX has ended the install.");
    server.stop(5);
    threads.shutdownNow();
  }
}

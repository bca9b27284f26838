package io.aix.ops;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A Slack-like incoming webhook that records what AIX posts to it. */
public class AlertWebhookResource implements QuarkusTestResourceLifecycleManager {
  static final List<String> RECEIVED = new CopyOnWriteArrayList<>();
  private HttpServer server;

  @Override
  public Map<String, String> start() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext(
        "/hook",
        exchange -> {
          RECEIVED.add(
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    return Map.of(
        "aix.alerts.webhook-url", "http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  @Override
  public void stop() {
    server.stop(0);
  }
}

package io.aix.sandbox;

import java.util.Map;

/** A simulated CRM's HTTP answer; {@code reset} means: drop the connection instead. */
public record Reply(int status, Map<String, String> headers, String body, boolean reset) {
  public static Reply json(int status, String body, Map<String, String> headers) {
    java.util.Map<String, String> h = new java.util.LinkedHashMap<>(headers);
    h.put("Content-Type", "application/json;charset=UTF-8");
    return new Reply(status, h, body, false);
  }
}

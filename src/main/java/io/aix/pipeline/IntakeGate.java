package io.aix.pipeline;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Closed while intake stops: source stages then end their cycle after the page in hand instead of
 * reading another, so the routes stop between pages, each page checkpointed, rather than with a
 * cycle cut in the middle. Open again once the routes are stopped.
 */
@ApplicationScoped
public class IntakeGate {
  private volatile boolean open = true;

  public boolean isOpen() {
    return open;
  }

  void close() {
    open = false;
  }

  void open() {
    open = true;
  }
}

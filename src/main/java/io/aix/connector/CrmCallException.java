package io.aix.connector;

/** A whole CRM call failed (not one record in it); the failure says whether to retry. */
public class CrmCallException extends RuntimeException {
  private final CrmFailure failure;

  public CrmCallException(CrmFailure failure, Throwable cause) {
    super(failure.toString(), cause);
    this.failure = failure;
  }

  public CrmFailure failure() {
    return failure;
  }
}

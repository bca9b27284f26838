package io.aix.connector;

/** The result of writing one record: the connector returns one per {@link ScoreWrite}, in order. */
public sealed interface WriteOutcome {
  String crmId();

  record Written(String crmId) implements WriteOutcome {}

  record Failed(String crmId, CrmFailure failure) implements WriteOutcome {}
}

package io.aix.connector;

import io.aix.scoring.ScoreResult;

/** One record's new score, to be written into the CRM's AIX fields. */
public record ScoreWrite(String crmId, ScoreResult score) {}

package io.aix.connector;

import java.time.Instant;

/**
 * A follow-up task for the owner of a lead that just turned hot.
 *
 * @param idempotencyKey unique per lead and hot episode; written into the task so that a retry
 *     after a crash can be recognised instead of creating a second task
 * @param ownerId the CRM user who gets the task; null leaves it unassigned
 * @param body the rep-facing text: score, grade and the top factors
 */
public record HotLeadTask(
    String crmId,
    String idempotencyKey,
    String ownerId,
    String subject,
    String body,
    Instant due) {}

package io.aix.connector;

import io.aix.lead.EngagementSignal;
import java.time.Instant;

/**
 * Engagement a CRM keeps as a record of its own, naming the lead it is about: a completed call or
 * meeting logged on it (Salesforce Task), a campaign response (Salesforce CampaignMember).
 *
 * @param id the activity record's CRM id (it makes the signal's id, so reading it again adds
 *     nothing)
 * @param crmId the lead's (or contact's) record id
 * @param modifiedAt the activity record's modification stamp: where the next read starts
 * @param detail a few words on what it was (a subject, a campaign), without personal data
 */
public record CrmActivity(
    String id,
    String crmId,
    EngagementSignal.Type type,
    Instant occurredAt,
    Instant modifiedAt,
    String detail) {}

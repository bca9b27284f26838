-- Salesforce Change Data Capture: each change event becomes one notice per record in inbound_event,
-- keyed by the event's UUID and the record id (replay ids are not unique across org migrations),
-- in the same transaction as the stream's new replay position in source_offset.
alter table inbound_event alter column event_id type varchar(160);
alter table inbound_event add column replay_id bigint;

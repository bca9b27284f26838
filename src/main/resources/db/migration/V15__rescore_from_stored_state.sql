-- A re-score of every lead of an object from the state AIX stored (a model promotion), instead of
-- reading the whole object from the CRM again: the intake leader queues the stored leads in crm_id
-- order, a chunk at a time after after_crm_id, and deletes the request once all are queued.
-- total (the leads to re-score when it was asked) picks the lane: above the profile's bulkAbove,
-- the bulk jobs'.
create table rescore_request (
    profile_id    varchar(64)  not null,
    crm_object    varchar(64)  not null,
    requested_at  timestamptz  not null,
    total         bigint       not null,
    after_crm_id  varchar(64)  not null default '',
    primary key (profile_id, crm_object)
);

-- Whether stored rows still wait for an object (intake asks per page while a re-score runs).
create index work_item_stored on work_item (profile_id, crm_object) where change_key = 'stored';

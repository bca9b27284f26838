-- The durable work queue between intake (polls, webhooks) and the workers, one row per record:
-- a newer version of a record waiting in the queue replaces the older one (revision + 1).
-- Intake inserts rows in the same transaction as the stream's offset and processed keys; workers
-- on any replica lease rows with FOR UPDATE SKIP LOCKED and delete them when finished. A crashed
-- worker's lease runs out and another takes the row.
create table work_item (
    id               bigserial primary key,
    profile_id       varchar(64)  not null,
    crm_object       varchar(64)  not null,
    crm_id           varchar(64)  not null,
    stream           varchar(128) not null,
    change_key       varchar(160) not null,
    crm_modified_at  timestamptz  not null,
    deleted          boolean      not null,
    payload          text         not null,
    revision         integer      not null default 1,
    enqueued_at      timestamptz  not null,
    available_at     timestamptz  not null,
    attempts         integer      not null default 0,
    lease_owner      varchar(128),
    lease_until      timestamptz,
    last_error       text,
    constraint work_item_record unique (profile_id, crm_object, crm_id)
);
create index work_item_ready on work_item (profile_id, crm_object, available_at, id);

-- A write AIX started but has not seen confirmed: after a crash, the CRM is asked what it shows
-- before the same score is written again.
alter table lead add column writing_version integer not null default 0;

-- AIX's own API calls per profile and budget window, shared by every replica.
create table api_usage (
    profile_id    varchar(64) not null,
    window_start  timestamptz not null,
    calls         bigint      not null,
    primary key (profile_id, window_start)
);

-- Workers on every replica may send a profile's claimed tasks: a sender leases the claims it
-- sends, so two never send the same one.
alter table lead_task add column send_lease_until timestamptz;

-- A replayed dead letter goes back into the work queue as the version it was.
alter table dead_letter add column crm_modified_at timestamptz;

-- Which AIX process scored each version (host, pid, instance): where the work went.
alter table score add column scored_by varchar(128);

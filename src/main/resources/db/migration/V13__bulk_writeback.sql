-- Mass writebacks (a backfill, a re-score after a model promotion) go to the CRM in bulk jobs
-- (Salesforce Bulk API 2.0 ingest) instead of one call per 200 records: the score versions wait
-- here, one row per record, until a job takes them; a job's results settle them (written, dead
-- letter, or back to waiting). A newer version of a record replaces the waiting one.
create table bulk_write (
    profile_id       varchar(64)  not null,
    crm_object       varchar(64)  not null,
    crm_id           varchar(64)  not null,
    version          integer      not null,
    -- the CRM's columns and values for this version (JSON object; null clears a field)
    fields           text         not null,
    -- the CRM record as read, for a dead letter that can be replayed
    payload          text         not null,
    crm_modified_at  timestamptz  not null,
    queued_at        timestamptz  not null,
    attempts         integer      not null default 0,
    job_id           varchar(64),
    job_version      integer,
    primary key (profile_id, crm_object, crm_id)
);
create index bulk_write_waiting on bulk_write (profile_id, crm_object, queued_at) where job_id is null;
create index bulk_write_by_job on bulk_write (job_id) where job_id is not null;

-- The bulk jobs a writer started and has not settled: after a restart, any replica's writer
-- finds them and reads their results; a lease keeps two writers off one job.
create table bulk_job (
    job_id       varchar(64)  primary key,
    profile_id   varchar(64)  not null,
    crm_object   varchar(64)  not null,
    records      integer      not null,
    started_at   timestamptz  not null,
    lease_owner  varchar(128),
    lease_until  timestamptz
);

-- Workers take real-time rows before a bulk read's (source "bulk", stream "<object>:bulk"): each
-- kind in its own index order, so a user's change is not queued behind a million-record backfill.
create index work_item_live on work_item (profile_id, crm_object, available_at, id)
    where stream not like '%:bulk';
create index work_item_bulk on work_item (profile_id, crm_object, available_at, id)
    where stream like '%:bulk';

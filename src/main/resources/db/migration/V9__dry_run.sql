-- Dry run (profile dryRun: true): what AIX would have written to the CRM, per record and score
-- version, instead of writing it. Field values are the CRM's own field names.
create table dry_run_write (
    id            bigserial primary key,
    profile_id    varchar(64)  not null,
    crm_object    varchar(64)  not null,
    crm_id        varchar(64)  not null,
    score_version integer      not null,
    changes       text         not null,  -- JSON: {"field": {"before": .., "after": ..}, ...}
    task          text,                   -- the task AIX would create, if the lead turned hot
    recorded_at   timestamptz  not null,
    constraint dry_run_write_key unique (profile_id, crm_object, crm_id, score_version)
);
create index dry_run_write_by_time on dry_run_write (profile_id, recorded_at);

-- AIX foundation schema. Flyway owns it; Hibernate only validates.

-- The mapped fields of each CRM record (data minimisation: nothing unmapped is stored).
create table lead (
    id               bigserial primary key,
    profile_id       varchar(64)  not null,
    crm_object       varchar(64)  not null,
    crm_id           varchar(64)  not null,
    mapped_values    text         not null,
    input_hash       varchar(64)  not null,
    crm_modified_at  timestamptz  not null,
    score_version    integer      not null default 0,
    written_version  integer      not null default 0,
    deleted_at       timestamptz,
    updated_at       timestamptz  not null,
    constraint lead_key unique (profile_id, crm_object, crm_id)
);

-- Every score AIX computed that differed from the one before: the history a rep's score came from.
create table score (
    id              bigserial primary key,
    profile_id      varchar(64)   not null,
    crm_object      varchar(64)   not null,
    crm_id          varchar(64)   not null,
    version         integer       not null,
    score           integer       not null,
    grade           varchar(1)    not null,
    probability     double precision not null,
    fit             integer       not null,
    engagement      integer       not null,
    top_factors     varchar(1024) not null,
    model_version   varchar(64)   not null,
    fingerprint     varchar(128)  not null,
    scored_at       timestamptz   not null,
    written_at      timestamptz,
    constraint score_version_key unique (profile_id, crm_object, crm_id, version)
);
create index score_by_time on score (profile_id, scored_at);

-- Where each source stream stands; written in the same transaction as processed_event rows.
create table source_offset (
    profile_id   varchar(64)  not null,
    stream       varchar(128) not null,
    position     text         not null,
    updated_at   timestamptz  not null,
    primary key (profile_id, stream)
);

-- Keys of processed change events (record id @ modification stamp) for de-duplication of the
-- overlapping poll window and of replays.
create table processed_event (
    profile_id   varchar(64)  not null,
    stream       varchar(128) not null,
    event_key    varchar(160) not null,
    event_time   timestamptz  not null,
    processed_at timestamptz  not null,
    primary key (profile_id, stream, event_key)
);
create index processed_event_by_time on processed_event (profile_id, stream, event_time);

-- Records AIX could not process, with the reason and the original payload, for inspection and replay.
create table dead_letter (
    id           bigserial primary key,
    profile_id   varchar(64)  not null,
    crm_object   varchar(64)  not null,
    crm_id       varchar(64),
    stage        varchar(32)  not null,
    error_code   varchar(64)  not null,
    reason       text         not null,
    payload      text         not null,
    created_at   timestamptz  not null,
    replayed_at  timestamptz
);
create index dead_letter_by_profile on dead_letter (profile_id, created_at);

-- Engagement signals: what a lead did (page views, forms, e-mail opens and clicks, meetings,
-- product events), from the signals API or read from the CRM. The signal id makes delivery
-- idempotent per profile: the same signal sent twice is stored once. A new signal also leaves a
-- notice (inbound_event, kind 'signal') so the record is read and scored again within seconds.
create table engagement_signal (
    seq          bigserial    primary key,
    profile_id   varchar(64)  not null,
    crm_object   varchar(64)  not null,
    crm_id       varchar(64)  not null,
    signal_id    varchar(128) not null,
    type         varchar(32)  not null,
    occurred_at  timestamptz  not null,
    received_at  timestamptz  not null,
    source       varchar(64)  not null,
    detail       varchar(500),
    constraint engagement_signal_id unique (profile_id, signal_id)
);
create index engagement_signal_by_lead on engagement_signal (profile_id, crm_object, crm_id, occurred_at);

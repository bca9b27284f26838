-- Change notices pushed by a CRM (HubSpot webhooks), queued durably before the request is
-- answered, so a delivery acknowledged is a delivery kept. The event id de-duplicates redeliveries.
create table inbound_event (
    profile_id    varchar(64)  not null,
    event_id      varchar(64)  not null,
    crm_object    varchar(64)  not null,
    crm_id        varchar(64)  not null,
    kind          varchar(64)  not null,
    occurred_at   timestamptz  not null,
    received_at   timestamptz  not null,
    processed_at  timestamptz,
    primary key (profile_id, event_id)
);
create index inbound_event_pending on inbound_event (profile_id, received_at) where processed_at is null;

-- Follow-up tasks for hot leads. One open row per lead and kind: a lead that stays hot gets one
-- task; one that cools down and turns hot again gets another. The idempotency key travels into
-- the CRM's task so a retry after a crash can be recognised.
create table lead_task (
    id               bigserial    primary key,
    profile_id       varchar(64)  not null,
    crm_object       varchar(64)  not null,
    crm_id           varchar(64)  not null,
    kind             varchar(32)  not null,
    idempotency_key  varchar(200) not null unique,
    owner_id         varchar(64),
    body             varchar(2000) not null,
    crm_task_id      varchar(64),
    created_at       timestamptz  not null,
    crm_created_at   timestamptz,
    closed_at        timestamptz
);
create unique index lead_task_open on lead_task (profile_id, crm_object, crm_id, kind) where closed_at is null;

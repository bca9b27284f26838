-- The last training attempt per profile and object, refused ones included: the API says why the
-- rules scorer is still in charge ("412 leads, 1,000 needed") without anyone reading logs.
create table model_training_attempt (
    profile_id   varchar(64)  not null,
    crm_object   varchar(64)  not null,
    attempted_at timestamptz  not null,
    outcome      varchar(16)  not null check (outcome in ('refused', 'promoted', 'rejected')),
    reason       text         not null,
    primary key (profile_id, crm_object)
);

-- How often a hot-lead task was handed to the CRM: after an attempt whose answer never came, AIX
-- looks for the task in the CRM before sending it again.
alter table lead_task add column send_attempts integer not null default 0;

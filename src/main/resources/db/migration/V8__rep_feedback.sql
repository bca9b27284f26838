-- What reps said about a score (AIX_Feedback__c / aix_feedback), with the score they judged:
-- shown per model version, and used by training (ModelTrainer: the feedback policy).
create table lead_feedback (
    id             bigserial        primary key,
    profile_id     varchar(64)      not null,
    crm_object     varchar(64)      not null,
    crm_id         varchar(64)      not null,
    feedback       varchar(16)      not null check (feedback in ('too_high', 'too_low', 'spot_on')),
    score          integer          not null,
    probability    double precision not null,
    score_version  integer          not null,
    model_version  varchar(64)      not null,
    given_at       timestamptz      not null,
    recorded_at    timestamptz      not null
);
create index lead_feedback_by_record on lead_feedback (profile_id, crm_object, crm_id);

-- Predictive models per profile and CRM object: every trained version with its figures, the
-- validation report of its training set, Tribuo's provenance, and the model itself. Exactly one
-- champion per profile and object scores leads; the rest are challengers, retired or rejected.
create table model_version (
    id             bigserial     primary key,
    profile_id     varchar(64)   not null,
    crm_object     varchar(64)   not null,
    version        integer       not null,
    algorithm      varchar(32)   not null,
    status         varchar(16)   not null check (status in ('champion', 'challenger', 'retired', 'rejected')),
    reason         text          not null,
    feature_groups text          not null,
    calibration_a  double precision not null,
    calibration_b  double precision not null,
    metrics        text          not null,
    validation     text          not null,
    provenance     text          not null,
    model          bytea,
    trained_at     timestamptz   not null,
    promoted_at    timestamptz,
    constraint model_version_key unique (profile_id, crm_object, version)
);
create unique index model_one_champion on model_version (profile_id, crm_object) where status = 'champion';

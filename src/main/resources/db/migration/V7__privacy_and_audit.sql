-- People erased on request (GDPR art. 17, CCPA deletion): only a hash of the email is kept, so
-- intake can drop a record that would bring the person back without AIX knowing who they were.
create table erased_subject (
    subject_hash  varchar(64)  primary key,
    erased_at     timestamptz  not null
);

-- Who did what, when: writebacks, model promotions, profile changes, erasures and admin calls.
-- Append-only: the database itself refuses updates, deletes and truncation. It names people by
-- subject hash and records by count, never by email or CRM id, so an erasure leaves it intact.
create table audit_log (
    id        bigserial     primary key,
    at        timestamptz   not null,
    actor     varchar(200)  not null,
    action    varchar(64)   not null,
    target    varchar(300)  not null,
    details   text          not null
);
create index audit_log_by_time on audit_log (at);

create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only: % refused', tg_op;
end
$$;
create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_is_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_is_append_only();

-- Tokens AIX obtains from a CRM (HubSpot OAuth access and rotated refresh tokens), AES-GCM
-- encrypted with a key from the environment; shared by replicas, kept across restarts.
create table crm_credential (
    profile_id   varchar(64)  primary key,
    key_id       varchar(32)  not null,
    sealed       text         not null,
    expires_at   timestamptz  not null,
    updated_at   timestamptz  not null
);

-- Alert episodes: an alert fires when its episode opens and not again until it has resolved, however
-- many replicas evaluate the rules.
create table alert_episode (
    id           bigserial    primary key,
    alert_key    varchar(200) not null,
    message      text         not null,
    opened_at    timestamptz  not null,
    notified_at  timestamptz,
    resolved_at  timestamptz
);
create unique index alert_episode_open on alert_episode (alert_key) where resolved_at is null;

-- drift_schema: where `lens drift` records its alerts, in schema {{catalog}}. Idempotent.
-- drift_alerts: one row per (version, buffer batch, metric) that raised an alert: its value
-- exceeded its threshold (and, for rating_ks and activity_psi, its p-value was below alpha);
-- `lens drift` replaces a version's rows each time it runs (so a rerun with other thresholds
-- leaves only the alerts those thresholds raise).
create schema if not exists {{catalog}};

create table if not exists {{catalog}}.drift_alerts (
    version     integer          not null,  -- lens_catalog.versions.version
    batch       integer          not null,  -- buffer batch 1..N
    metric      text             not null,  -- rating_ks | genre_psi | activity_psi
    value       double precision not null,  -- KS statistic D, or PSI
    threshold   double precision not null,  -- the threshold value exceeded
    created_at  timestamptz      not null default now(),
    p_value     double precision,           -- rating_ks, activity_psi: the p-value; null for genre_psi
    alpha       double precision,           -- the significance level it was below; null for genre_psi
    primary key (version, batch, metric)
);

-- A catalog made before p_value and alpha existed gets them (null in its old rows). Checked
-- first, so that a catalog that has them takes no table lock (ALTER TABLE would).
do $$
begin
    if not exists (
        select from information_schema.columns
        where table_schema = '{{catalog}}' and table_name = 'drift_alerts' and column_name = 'p_value'
    ) then
        alter table {{catalog}}.drift_alerts
            add column p_value double precision,
            add column alpha double precision;
    end if;
end
$$;

-- Its documentation (the source docs/tables.md is rendered from; one statement per line).
comment on table {{catalog}}.drift_alerts is 'one row per (version, buffer batch, metric) that raised a drift alert in the last lens drift';
comment on column {{catalog}}.drift_alerts.version is 'the version (lens_catalog.versions)';
comment on column {{catalog}}.drift_alerts.batch is 'buffer batch 1..N';
comment on column {{catalog}}.drift_alerts.metric is 'rating_ks | genre_psi | activity_psi';
comment on column {{catalog}}.drift_alerts.value is 'the KS statistic D, or the PSI';
comment on column {{catalog}}.drift_alerts.threshold is 'the threshold it exceeded';
comment on column {{catalog}}.drift_alerts.created_at is 'when lens drift recorded it';
comment on column {{catalog}}.drift_alerts.p_value is 'rating_ks, activity_psi: the p-value; null for genre_psi';
comment on column {{catalog}}.drift_alerts.alpha is 'the significance level it was below; null for genre_psi';

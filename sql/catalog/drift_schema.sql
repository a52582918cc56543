-- drift_schema: where `lens drift` records its alerts, in schema {{catalog}}. Idempotent.
-- drift_alerts: one row per (version, buffer batch, metric) whose value exceeded its threshold;
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
    primary key (version, batch, metric)
);

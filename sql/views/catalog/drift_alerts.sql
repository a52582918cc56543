-- drift_alerts: drift alerts `lens drift` raised for the current version: a buffer batch whose
-- rating distribution, genre mix or user-activity mix moved away from train by more than a
-- threshold (from the catalog {{catalog}}.drift_alerts).
-- columns:
--   batch       buffer batch number
--   metric      rating_ks (Kolmogorov-Smirnov D), genre_psi or activity_psi (population stability index)
--   value       the measured value
--   threshold   the threshold it exceeded
--   created_at  when `lens drift` recorded it
create view {{current}}.drift_alerts as

with

final as (
    select a.batch, a.metric, a.value, a.threshold, a.created_at
    from {{catalog}}.drift_alerts as a
    join {{catalog}}.versions as v on v.version = a.version and v.is_current
)

select * from final;

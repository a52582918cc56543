-- drift_alerts: drift alerts `lens drift` raised for the current version: a buffer batch whose
-- rating distribution, genre mix or user-activity mix moved away from train by more than a
-- threshold, significantly so for the rating and activity metrics (from the catalog
-- {{catalog}}.drift_alerts; docs/analysts.md explains the metrics and their defaults).
-- columns:
--   batch       buffer batch number
--   metric      rating_ks (Kolmogorov-Smirnov D), genre_psi or activity_psi (population stability index)
--   value       the measured value
--   threshold   the threshold it exceeded
--   p_value     rating_ks, activity_psi: the p-value (with effective sample sizes); null for genre_psi
--   alpha       the significance level the p-value was below; null for genre_psi
--   created_at  when `lens drift` recorded it
create view {{current}}.drift_alerts as

with

final as (
    select a.batch, a.metric, a.value, a.threshold, a.p_value, a.alpha, a.created_at
    from {{catalog}}.drift_alerts as a
    join {{catalog}}.versions as v on v.version = a.version and v.is_current
)

select * from final;

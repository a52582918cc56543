-- drift_alerts: the alerts `lens drift` recorded for the current version.
select a.batch, a.metric, a.value, a.threshold, a.p_value, a.created_at
from {{catalog}}.drift_alerts as a
join {{catalog}}.versions as v on v.version = a.version and v.is_current
order by a.batch, a.metric

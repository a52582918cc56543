-- delete_drift_alerts: forgets the drift alerts of version $1 (`lens drift` rewrites them).
delete from {{catalog}}.drift_alerts where version = $1::integer;

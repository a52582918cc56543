-- insert_drift_alert: one drift alert. $1 version, $2 batch, $3 metric, $4 value, $5 threshold
insert into {{catalog}}.drift_alerts (version, batch, metric, value, threshold)
values ($1::integer, $2::integer, $3, $4::double precision, $5::double precision);

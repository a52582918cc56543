-- insert_drift_alert: one drift alert. $1 version, $2 batch, $3 metric, $4 value, $5 threshold,
-- $6 p-value, $7 alpha (both null for genre_psi)
insert into {{catalog}}.drift_alerts (version, batch, metric, value, threshold, p_value, alpha)
values ($1::integer, $2::integer, $3, $4::double precision, $5::double precision, $6::double precision, $7::double precision);

-- insert_version: records a loaded version and makes it the current one (one statement, so it
-- can run with bound parameters).
-- $1 version, $2 schema name, $3 run_id, $4 source, $5 source sha256, $6 run fingerprint, $7 drop date
with previous as (
    update {{catalog}}.versions set is_current = false where is_current returning version
)
insert into {{catalog}}.versions (version, schema_name, run_id, source, source_sha256, fingerprint, drop_date, is_current)
values ($1::integer, $2, $3::bigint, $4, $5, $6, $7::date, true);

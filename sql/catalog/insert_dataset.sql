-- insert_dataset: records one dataset a run produced; returns its dataset_id.
-- $1 name, $2 version, $3 kind, $4 location, $5 format, $6 rows, $7 bytes, $8 checksum, $9 schema json, $10 run_id
insert into {{catalog}}.datasets (name, version, kind, location, format, rows, bytes, checksum, schema, run_id)
values ($1, $2::integer, $3, $4, $5, $6::bigint, $7::bigint, $8, $9::jsonb, $10::bigint)
returning dataset_id;

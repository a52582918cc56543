-- finish_run: records how a run ended.
-- $1 run_id, $2 status, $3 version (or null), $4 stage seconds, $5 row counts,
-- $6 reconciliation, $7 quarantine counts (all json), $8 error (or null), $9 source sha256
update {{catalog}}.runs
set finished_at = now(),
    status = $2,
    version = $3::integer,
    stage_seconds = $4::jsonb,
    row_counts = $5::jsonb,
    reconciliation = $6::jsonb,
    quarantine_counts = $7::jsonb,
    error = $8,
    source_sha256 = $9
where run_id = $1::bigint;

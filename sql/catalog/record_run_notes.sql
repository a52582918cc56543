-- record_run_notes: the guards a run overrode (--accept-rejects, --allow-shrink, --allow-empty)
-- and its warnings (missing optional files, capped values, files without a final newline, ...).
-- $1 run_id, $2 guard overrides (text[] literal), $3 warnings (json array)
update {{catalog}}.runs
set guard_overrides = $2::text[],
    warnings = $3::jsonb
where run_id = $1::bigint;

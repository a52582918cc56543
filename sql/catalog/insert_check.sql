-- insert_check: one data-quality check of a run.
-- $1 run_id, $2 dataset, $3 name, $4 passed, $5 observed, $6 details json
insert into {{catalog}}.checks (run_id, dataset, name, passed, observed, details)
values ($1::bigint, $2, $3, $4::boolean, $5, $6::jsonb)
on conflict (run_id, dataset, name) do update
set passed = excluded.passed, observed = excluded.observed, details = excluded.details;

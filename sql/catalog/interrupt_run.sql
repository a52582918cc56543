-- interrupt_run: a run stopped by SIGINT/SIGTERM, after its backends were ended (so its load was
-- rolled back). Only a row still 'running' changes: a run that finished first keeps its status.
-- $1 run_id, $2 why (e.g. "interrupted by SIGINT")
update {{catalog}}.runs
set status = 'interrupted',
    finished_at = now(),
    error = $2 || '; the load was rolled back and the previous version stays current'
where run_id = $1::bigint and status = 'running'
returning run_id;

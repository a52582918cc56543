-- mark_interrupted: runs still 'running' when a new run holds the warehouse lock were killed
-- (SIGKILL, lost connection): their transaction was rolled back, say so.
update {{catalog}}.runs
set status = 'interrupted',
    finished_at = coalesce(finished_at, now()),
    error = coalesce(error, 'the process ended before the run finished; nothing it loaded became visible')
where status = 'running';

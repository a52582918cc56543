-- list_runs: the most recent runs, newest first.
select run_id, command, status, version, started_at, finished_at, source, error
from {{catalog}}.runs
order by run_id desc
limit 20;

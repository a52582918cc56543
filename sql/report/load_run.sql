-- load_run: the run that loaded the current version: status, times, reconciliation (json).
select r.run_id, r.command, r.status, r.started_at, r.finished_at, r.reconciliation::text as reconciliation
from {{catalog}}.runs as r
join {{catalog}}.versions as v on v.run_id = r.run_id
where v.is_current

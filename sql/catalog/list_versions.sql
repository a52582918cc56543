-- list_versions: every loaded version, newest first, with the run that made it.
select v.version, v.schema_name, v.is_current, v.created_at, v.source, v.drop_date, r.run_id, r.status
from {{catalog}}.versions as v
join {{catalog}}.runs as r on r.run_id = v.run_id
order by v.version desc;

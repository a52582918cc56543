-- version: the version the report is about (the current one) and the run that loaded it.
select v.version, v.schema_name, v.drop_date, v.created_at as loaded_at, v.source, v.run_id
from {{catalog}}.versions as v
where v.is_current

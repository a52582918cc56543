-- prune_candidates: loaded versions beyond the newest $1, never the current one.
select version, schema_name
from {{catalog}}.versions
where dropped_at is null
  and not is_current
  and version not in (select version from {{catalog}}.versions where dropped_at is null order by version desc limit $1::integer)
order by version;

-- current_version: the version analysts see now, with its fingerprint (no row before the first load).
select version, schema_name, fingerprint
from {{catalog}}.versions
where is_current;

-- schema_tables: the tables and views of one schema (a version's tables, or the current schema's
-- views over them), for the checks that count every table.
-- $1 the schema
select c.relname
from pg_class as c
join pg_namespace as n on n.oid = c.relnamespace
where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm')
order by c.relname;

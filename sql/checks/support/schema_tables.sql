-- schema_tables: the version tables (the TableSpecs' names, $2) present in one schema, as tables
-- (a version's schema) or as views over them (the current schema), for the checks that count
-- every table. $1 the schema, $2 the table names (text[] literal)
select c.relname
from pg_class as c
join pg_namespace as n on n.oid = c.relnamespace
where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm') and c.relname = any($2::text[])
order by c.relname;

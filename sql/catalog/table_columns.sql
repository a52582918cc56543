-- table_columns: the columns of every table of schema $1 with their types, in table order, for
-- `lens catalog diff` (which compares a value column only when both versions have it, typed alike).
select c.relname as table_name, a.attname as column_name, format_type(a.atttypid, a.atttypmod) as column_type
from pg_catalog.pg_attribute as a
join pg_catalog.pg_class as c on c.oid = a.attrelid
join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
where n.nspname = $1 and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
order by c.relname, a.attnum;

-- diff_columns: schema changes between two version schemas: columns only in one, or typed differently.
-- $1 schema a, $2 schema b
with
a as (select table_name, column_name, data_type from information_schema.columns where table_schema = $1),
b as (select table_name, column_name, data_type from information_schema.columns where table_schema = $2)
select
    coalesce(a.table_name, b.table_name) as table_name,
    coalesce(a.column_name, b.column_name) as column_name,
    case when a.column_name is null then 'added' when b.column_name is null then 'removed' else 'type changed' end as change,
    a.data_type as type_in_a,
    b.data_type as type_in_b
from a
full join b on a.table_name = b.table_name and a.column_name = b.column_name
where a.column_name is null or b.column_name is null or a.data_type <> b.data_type
order by 1, 2;

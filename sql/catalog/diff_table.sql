-- diff_table: rows added, removed and changed in table {{table}} from version schema {{a}} to {{b}}.
-- $1: the table's key columns (text[]); $2: derived columns left out of the comparison (text[]);
-- rows are compared as jsonb, matched on the key.
-- Costs a pass over both tables: seconds on ml-latest-small, minutes on 25M ratings.
with
a as (
    select r, (select jsonb_object_agg(k, r -> k) from unnest($1::text[]) as k) as key
    from (select to_jsonb(t) - $2::text[] as r from {{a}}.{{table}} as t) as s
),
b as (
    select r, (select jsonb_object_agg(k, r -> k) from unnest($1::text[]) as k) as key
    from (select to_jsonb(t) - $2::text[] as r from {{b}}.{{table}} as t) as s
)
select
    count(*) filter (where a.key is null) as added,
    count(*) filter (where b.key is null) as removed,
    count(*) filter (where a.key is not null and b.key is not null and a.r <> b.r) as changed
from a
full join b on a.key = b.key;

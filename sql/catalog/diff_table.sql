-- diff_table: defines pg_temp.lens_diff_table, which counts the rows added, removed and changed in
-- one table from version schema a to version schema b, for `lens catalog diff`. Identifiers come
-- in as values ($1..$5 of the call) and are quoted here with format('%I'), so the per-table
-- statement is built in SQL, not pasted together in Swift.
--
-- Rows are matched on their key columns (keys, never null in a loaded version). Keyed tables
-- (the key is unique): one full join on the key, every value column compared as its own type with
-- IS DISTINCT FROM (no row to jsonb conversion: one pass over each table, seconds at 25M ratings).
-- A matched row is changed when one of the value columns differs; lineage and derived columns
-- (source_line, split, ...) are simply not passed, so a row that only moved is no change.
-- Returns {added, removed, changed, changed in vals[1], changed in vals[2], ...}.
--
-- Tables without a unique key (tags, quarantine; multiset = true) are compared as multisets of
-- their key columns: a key held n times in a and m times in b counts max(m - n, 0) added and
-- max(n - m, 0) removed; nothing is "changed" (vals must be empty).
create or replace function pg_temp.lens_diff_table(a text, b text, tbl text, keys text[], vals text[], multiset boolean)
returns bigint[]
language plpgsql
-- Every keyed table has a primary key on its key and a loaded version lies in key order on disk
-- (or nearly), so a merge join over the two key indexes streams both tables once; the planner
-- prefers a hash full join, which on 5M ratings spills to disk and took 1.7x as long. JIT only
-- adds compile time to a single pass.
set enable_hashjoin = off
set jit = off
as $fn$
declare
    key_cols text := (select string_agg(format('%I', k), ', ' order by o) from unnest(keys) with ordinality as u(k, o));
    on_key text := (select string_agg(format('a.%1$I = b.%1$I', k), ' and ' order by o) from unnest(keys) with ordinality as u(k, o));
    first_key text := format('%I', keys[1]);
    matched text := format('a.%1$s is not null and b.%1$s is not null', format('%I', keys[1]));
    any_value text;
    per_value text;
    result bigint[];
begin
    if coalesce(array_length(keys, 1), 0) = 0 then
        raise exception 'lens_diff_table: table % needs key columns', tbl;
    end if;
    if multiset then
        if coalesce(array_length(vals, 1), 0) > 0 then
            raise exception 'lens_diff_table: multiset table % has no value columns', tbl;
        end if;
        execute format(
            'with a as (select %1$s, count(*) as n from %2$I.%4$I group by %1$s), '
            'b as (select %1$s, count(*) as n from %3$I.%4$I group by %1$s) '
            'select array[coalesce(sum(greatest(coalesce(b.n, 0) - coalesce(a.n, 0), 0)), 0)::bigint, '
            'coalesce(sum(greatest(coalesce(a.n, 0) - coalesce(b.n, 0), 0)), 0)::bigint, 0::bigint] '
            'from a full join b on %5$s',
            key_cols, a, b, tbl, on_key)
        into result;
        return result;
    end if;
    any_value := coalesce((select string_agg(format('a.%1$I is distinct from b.%1$I', v), ' or ' order by o)
                           from unnest(vals) with ordinality as u(v, o)), 'false');
    per_value := coalesce((select string_agg(format(', count(*) filter (where %1$s and a.%2$I is distinct from b.%2$I)', matched, v), '' order by o)
                           from unnest(vals) with ordinality as u(v, o)), '');
    execute format(
        'select array[count(*) filter (where a.%1$s is null), count(*) filter (where b.%1$s is null), '
        'count(*) filter (where %2$s and (%3$s))%4$s] '
        'from %5$I.%7$I as a full join %6$I.%7$I as b on %8$s',
        first_key, matched, any_value, per_value, a, b, tbl, on_key)
    into result;
    return result;
end
$fn$;

-- ratings_unique: at most one rating per (user, movie) (duplicates were dropped or superseded).
-- dataset: ratings
-- returns the repeated keys: user_id, movie_id, n_rows
--
-- A valid unique index on exactly (user_id, movie_id) of {{current}}.ratings (the primary key a
-- load builds) already proves it: PostgreSQL compared every row when it built the index. Then the
-- scan below is skipped (a one-time filter); it runs where no such index exists (a view, a copy, a
-- table whose key was dropped). At ml-25m the scan is a 25M-group aggregate: seconds to minutes.
with

proven_by_index as (
    select exists (
        select
        from pg_index as i
        where i.indrelid = to_regclass('{{current}}.ratings')
            and i.indisunique
            and i.indisvalid
            and i.indpred is null
            and i.indnkeyatts = 2
            and i.indkey[0] = (select a.attnum from pg_attribute as a where a.attrelid = i.indrelid and a.attname = 'user_id')
            and i.indkey[1] = (select a.attnum from pg_attribute as a where a.attrelid = i.indrelid and a.attname = 'movie_id')
    ) as proven
)

select r.user_id, r.movie_id, count(*) as n_rows
from {{current}}.ratings as r
where not (select proven from proven_by_index)
group by r.user_id, r.movie_id
having count(*) > 1
order by user_id, movie_id

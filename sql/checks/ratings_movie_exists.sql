-- ratings_movie_exists: every rating (held-back ones too) and every tag is of a movie in movies
-- (orphans were quarantined, not loaded).
-- dataset: ratings
-- returns the orphan rows: source (ratings | ratings_buffer | tags), user_id, movie_id
--
-- A validated foreign key (movie_id) -> {{current}}.movies (movie_id) on a table already proves
-- it for that table: PostgreSQL checked every row when the load added the key. Then that table's
-- scan is skipped (a one-time filter); it runs where there is no such key (views, copies).
with

proven_by_foreign_key as (
    select c.conrelid as table_oid
    from pg_constraint as c
    where c.contype = 'f'
        and c.convalidated
        and c.confrelid = to_regclass('{{current}}.movies')
        and cardinality(c.conkey) = 1
        and c.conkey[1] = (select a.attnum from pg_attribute as a where a.attrelid = c.conrelid and a.attname = 'movie_id')
        and c.confkey[1] = (select a.attnum from pg_attribute as a where a.attrelid = c.confrelid and a.attname = 'movie_id')
),

unproven as (
    select t.name
    from unnest(array['ratings', 'ratings_buffer', 'tags']) as t (name)
    where not exists (
        select from proven_by_foreign_key as p where p.table_oid = to_regclass(format('%I.%I', '{{current}}', t.name))
    )
)

select 'ratings' as source, r.user_id, r.movie_id
from {{current}}.ratings as r
where exists (select from unproven where name = 'ratings')
    and not exists (select from {{current}}.movies as m where m.movie_id = r.movie_id)
union all
select 'ratings_buffer' as source, b.user_id, b.movie_id
from {{current}}.ratings_buffer as b
where exists (select from unproven where name = 'ratings_buffer')
    and not exists (select from {{current}}.movies as m where m.movie_id = b.movie_id)
    and not exists (select from {{current}}.ratings as r where r.user_id = b.user_id and r.movie_id = b.movie_id)
union all
select 'tags' as source, t.user_id, t.movie_id
from {{current}}.tags as t
where exists (select from unproven where name = 'tags')
    and not exists (select from {{current}}.movies as m where m.movie_id = t.movie_id)
order by source, user_id, movie_id

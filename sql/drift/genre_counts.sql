-- genre_counts: for `lens drift`, the genre mix of train (batch 0) and of each buffer batch: a
-- rating counts once for each genre of its movie ('(no genres listed)' for a movie with none).
-- columns: batch, genre, n_ratings
with

buffer as (
    select r.user_id, r.movie_id, r.batch from {{current}}.ratings as r where r.split = 'buffer'
    union all
    select b.user_id, b.movie_id, b.batch from {{current}}.ratings_buffer as b
    where not exists (select from {{current}}.ratings as r where r.user_id = b.user_id and r.movie_id = b.movie_id)
),

parts as (
    select 0 as batch, r.movie_id from {{current}}.ratings as r where r.split = 'train'
    union all
    select buffer.batch, buffer.movie_id from buffer
),

per_movie as (
    select p.batch, p.movie_id, count(*) as n_ratings
    from parts as p
    group by 1, 2
)

select pm.batch, coalesce(g.genre, '(no genres listed)') as genre, sum(pm.n_ratings)::bigint as n_ratings
from per_movie as pm
join {{current}}.movies as m on m.movie_id = pm.movie_id
left join lateral unnest(m.genres) as g (genre) on true
group by 1, 2
order by 1, 2

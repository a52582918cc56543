-- genre_counts: for `lens drift`, the genre mix of train (batch 0) and of each buffer batch: a
-- rating counts once for each genre of its movie ('(no genres listed)' for a movie with none).
-- columns: batch, genre, n_ratings
with

-- train is batch 0; held-back buffer batches count as in rating_counts.sql
parts as (
    select coalesce(e.batch, 0) as batch, e.movie_id from {{current}}.every_rating as e where e.split in ('train', 'buffer')
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

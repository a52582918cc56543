-- top_rated: every movie rated in train, ranked by its IMDb-style weighted rating
-- WR = v/(v+m) R + m/(v+m) C (v its train ratings, R their mean, C the mean of all train
-- ratings, m the 0.90 quantile of the per-movie counts; computed at load, see movie_stats).
-- The named query top_rated filters this by a minimum number of votes.
-- columns:
--   rank             1 = best weighted rating (ties share a rank)
--   movie_id, title, year, genres   from movies
--   n_ratings        train ratings (v)
--   mean_rating      their mean (R)
--   weighted_rating  WR
create view {{current}}.top_rated as

with

stats as (
    select s.movie_id, s.n_ratings, s.mean_rating, s.weighted_rating
    from {{current}}.movie_stats as s
),

final as (
    select
        rank() over (order by stats.weighted_rating desc) as rank,
        m.movie_id,
        m.title,
        m.year,
        m.genres,
        stats.n_ratings,
        stats.mean_rating,
        stats.weighted_rating
    from stats
    join {{current}}.movies as m on m.movie_id = stats.movie_id
)

select * from final;

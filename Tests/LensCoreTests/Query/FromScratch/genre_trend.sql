-- genre_trend: how a genre's share of the ratings moved year by year (UTC calendar years of
-- rated_at, all splits): its ratings, their share of all ratings that year, and their mean.
-- param: genre text Drama
-- columns: year, n_ratings, share_of_year, mean_rating
with

yearly as (
    select
        extract(year from r.rated_at at time zone 'UTC')::integer as year,
        count(*) as n_all,
        count(*) filter (where $1::text = any (m.genres)) as n_ratings,
        avg(r.rating::double precision) filter (where $1::text = any (m.genres)) as mean_rating
    from {{current}}.ratings as r
    join {{current}}.movies as m on m.movie_id = r.movie_id
    group by 1
)

select
    year,
    n_ratings,
    round(n_ratings::numeric / n_all, 4) as share_of_year,
    round(mean_rating::numeric, 3) as mean_rating
from yearly
order by year;

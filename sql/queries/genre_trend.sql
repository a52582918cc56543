-- genre_trend: how a genre's share of the ratings moved year by year (UTC calendar years of
-- rated_at, all splits): its ratings, their share of all ratings that year, and their mean.
-- param: genre text Drama
-- columns: year, n_ratings, share_of_year, mean_rating
-- (reads rollup_months and rollup_genre_years, per part of the split: the parts in ratings, summed)
with

yearly as (
    select
        extract(year from m.month_start at time zone 'UTC')::integer as year,
        sum(m.n_ratings)::bigint as n_all
    from {{current}}.rollup_months as m
    where m.batch is null or m.batch in (select a.batch from {{current}}.appended_batches as a)
    group by 1
),

genre as (
    select
        g.year::integer as year,
        sum(g.n_ratings)::bigint as n_ratings,
        sum(g.sum_rating) as sum_rating
    from {{current}}.rollup_genre_years as g
    where g.genre = $1::text
        and (g.batch is null or g.batch in (select a.batch from {{current}}.appended_batches as a))
    group by 1
)

select
    y.year,
    coalesce(g.n_ratings, 0) as n_ratings,
    round(coalesce(g.n_ratings, 0)::numeric / y.n_all, 4) as share_of_year,
    round((g.sum_rating / g.n_ratings)::numeric, 3) as mean_rating
from yearly as y
left join genre as g on g.year = y.year
order by y.year;

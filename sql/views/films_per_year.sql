-- films_per_year: how many films each release year has, and how they were rated.
-- columns:
--   year         release year from the title's trailing (YYYY); films without one are left out
--   n_movies     movies of that year
--   n_rated      of those, movies with at least one rating (any split)
--   n_ratings    ratings of those movies (any split)
--   mean_rating  mean of those ratings (null when none)
-- Reads rollup_movies (per part of the split and movie), summing the parts in ratings (train,
-- test, and the buffer batches there).
create view {{current}}.films_per_year as

with

movies as (
    select m.movie_id, m.year
    from {{current}}.movies as m
    where m.year is not null
),

ratings_per_movie as (
    select
        r.movie_id,
        sum(r.n_ratings) as n_ratings,
        sum(r.sum_rating) as sum_rating
    from {{current}}.rollup_movies as r
    where r.batch is null or r.batch in (select a.batch from {{current}}.appended_batches as a)
    group by r.movie_id
),

final as (
    select
        movies.year,
        count(*) as n_movies,
        count(rpm.movie_id) as n_rated,
        coalesce(sum(rpm.n_ratings), 0)::bigint as n_ratings,
        sum(rpm.sum_rating) / nullif(sum(rpm.n_ratings), 0) as mean_rating
    from movies
    left join ratings_per_movie as rpm on rpm.movie_id = movies.movie_id
    group by movies.year
)

select * from final;

-- genre_frequency: how common each genre is among movies and among ratings.
-- columns:
--   genre            as MovieLens writes it (e.g. Sci-Fi); genres outside the vocabulary included
--   n_movies         movies listing the genre
--   share_of_movies  n_movies / all movies (a movie counts once per genre, so shares sum above 1)
--   n_ratings        ratings (any split) of movies listing the genre
--   mean_rating      mean of those ratings (null when none)
-- Movies with "(no genres listed)" have an empty list and no row here (see movies.no_genres).
create view {{current}}.genre_frequency as

with

movie_genres as (
    select m.movie_id, g.genre
    from {{current}}.movies as m
    cross join lateral unnest(m.genres) as g (genre)
),

ratings_per_movie as (
    select
        r.movie_id,
        count(*) as n_ratings,
        sum(r.rating::double precision) as sum_rating
    from {{current}}.ratings as r
    group by r.movie_id
),

all_movies as (
    select count(*) as n from {{current}}.movies
),

final as (
    select
        mg.genre,
        count(*) as n_movies,
        count(*)::double precision / (select n from all_movies) as share_of_movies,
        coalesce(sum(rpm.n_ratings), 0)::bigint as n_ratings,
        sum(rpm.sum_rating) / nullif(sum(rpm.n_ratings), 0) as mean_rating
    from movie_genres as mg
    left join ratings_per_movie as rpm on rpm.movie_id = mg.movie_id
    group by mg.genre
)

select * from final;

-- genre_frequency: how common each genre is among movies and among ratings.
-- columns:
--   genre            as MovieLens writes it (e.g. Sci-Fi); genres outside the vocabulary included
--   n_movies         movies listing the genre
--   share_of_movies  n_movies / all movies (a movie counts once per genre, so shares sum above 1)
--   n_ratings        ratings (any split) of movies listing the genre
--   mean_rating      mean of those ratings (null when none)
-- Movies with "(no genres listed)" have an empty list and no row here (see movies.no_genres).
-- Reads rollup_genres (per part of the split and genre), summing the parts in ratings (train,
-- test, and the buffer batches there).
create view {{current}}.genre_frequency as

with

movie_genres as (
    select m.movie_id, g.genre
    from {{current}}.movies as m
    cross join lateral unnest(m.genres) as g (genre)
),

per_genre as (
    select mg.genre, count(*) as n_movies
    from movie_genres as mg
    group by mg.genre
),

ratings_per_genre as (
    select
        r.genre,
        sum(r.n_ratings) as n_ratings,
        sum(r.sum_rating) as sum_rating
    from {{current}}.rollup_genres as r
    where r.batch is null or r.batch in (select a.batch from {{current}}.appended_batches as a)
    group by r.genre
),

all_movies as (
    select count(*) as n from {{current}}.movies
),

final as (
    select
        pg.genre,
        pg.n_movies,
        pg.n_movies::double precision / (select n from all_movies) as share_of_movies,
        coalesce(rpg.n_ratings, 0)::bigint as n_ratings,
        rpg.sum_rating / nullif(rpg.n_ratings, 0) as mean_rating
    from per_genre as pg
    left join ratings_per_genre as rpg on rpg.genre = pg.genre
)

select * from final;

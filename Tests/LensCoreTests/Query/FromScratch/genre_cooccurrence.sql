-- genre_cooccurrence: which genres are listed together on the same movie.
-- columns:
--   genre_a, genre_b  a pair of genres, genre_a < genre_b in byte order (each unordered pair once)
--   n_movies          movies listing both
--   jaccard           n_movies / movies listing either (0..1)
--   lift              P(a and b) / (P(a) P(b)) over all movies; above 1 = together more than by chance
-- Only pairs that occur at least once appear.
create view {{current}}.genre_cooccurrence as

with

movie_genres as (
    select distinct m.movie_id, g.genre
    from {{current}}.movies as m
    cross join lateral unnest(m.genres) as g (genre)
),

per_genre as (
    select genre, count(*) as n_movies
    from movie_genres
    group by genre
),

all_movies as (
    select count(*)::double precision as n from {{current}}.movies
),

pairs as (
    select
        a.genre as genre_a,
        b.genre as genre_b,
        count(*) as n_movies
    from movie_genres as a
    join movie_genres as b on b.movie_id = a.movie_id and a.genre < b.genre collate "C"
    group by a.genre, b.genre
),

final as (
    select
        pairs.genre_a,
        pairs.genre_b,
        pairs.n_movies,
        pairs.n_movies::double precision / (pa.n_movies + pb.n_movies - pairs.n_movies) as jaccard,
        pairs.n_movies * all_movies.n / (pa.n_movies::double precision * pb.n_movies) as lift
    from pairs
    join per_genre as pa on pa.genre = pairs.genre_a
    join per_genre as pb on pb.genre = pairs.genre_b
    cross join all_movies
)

select * from final;

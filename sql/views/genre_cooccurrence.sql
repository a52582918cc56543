-- genre_cooccurrence: which genres are listed together on the same movie.
-- columns:
--   genre_a, genre_b  a pair of genres, genre_a < genre_b in byte order (each unordered pair once)
--   n_movies          movies listing both
--   jaccard           n_movies / movies listing either (0..1)
--   lift              P(a and b) / (P(a) P(b)) over all movies; above 1 = together more than by chance
-- Only pairs that occur at least once appear.
-- Reads rollup_genre_pairs (computed from movies at load).
create view {{current}}.genre_cooccurrence as

with

per_genre as (
    select p.genre_a as genre, p.n_movies
    from {{current}}.rollup_genre_pairs as p
    where p.genre_a = p.genre_b
),

all_movies as materialized (
    -- counted once (inlined, the planner recounted it for every pair of the nested loop)
    select count(*)::double precision as n from {{current}}.movies
),

pairs as (
    select p.genre_a, p.genre_b, p.n_movies
    from {{current}}.rollup_genre_pairs as p
    where p.genre_a <> p.genre_b
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

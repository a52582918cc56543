-- movies_like_title: movies_like for a title ("Toy Story", "Matrix, The (1999)"): the movie it
-- most likely means (exact title, normalized title, prefix, then substring; see movie_by_title)
-- and the k movies nearest to it.
-- param: title text Toy Story
-- param: k integer 10
-- columns: seed_movie_id, seed_title, rank, movie_id, title, year, genres, similarity
with

seed as (
    select m.movie_id, m.title
    from {{current}}.movies as m
    where m.movie_id = {{current}}.movie_by_title($1::text)
)

select
    seed.movie_id as seed_movie_id,
    seed.title as seed_title,
    s.rank,
    s.movie_id,
    s.title,
    s.year,
    array_to_string(s.genres, '|') as genres,
    round(s.similarity::numeric, 4) as similarity
from seed
cross join lateral {{current}}.movies_like(seed.movie_id, $2::integer) as s
order by s.rank;

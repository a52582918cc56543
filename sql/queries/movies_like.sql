-- movies_like: the k movies most similar to a movie, by cosine similarity of their genome
-- embeddings (empty when the movie has none: the drop has no genome or it is not in it).
-- param: movie_id integer 1
-- param: k integer 10
-- columns: rank, movie_id, title, year, genres, similarity
select
    s.rank,
    s.movie_id,
    s.title,
    s.year,
    array_to_string(s.genres, '|') as genres,
    round(s.similarity::numeric, 4) as similarity
from {{current}}.movies_like($1::integer, $2::integer) as s
order by s.rank;

-- search_movies: movies whose title contains a text (case-insensitive), most rated first, to
-- find the movie_id other queries take.
-- param: title text matrix
-- param: limit integer 20
-- columns: movie_id, title, year, genres, n_ratings, mean_rating
select
    m.movie_id,
    m.title,
    m.year,
    array_to_string(m.genres, '|') as genres,
    coalesce(s.n_ratings, 0) as n_ratings,
    round(s.mean_rating::numeric, 3) as mean_rating
from {{current}}.movies as m
left join {{current}}.movie_stats as s on s.movie_id = m.movie_id
where strpos(lower(m.title), lower($1::text)) > 0
order by coalesce(s.n_ratings, 0) desc, m.movie_id
limit $2::integer;

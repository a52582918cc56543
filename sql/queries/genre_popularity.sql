-- genre_popularity: genres ranked by ratings (any split), with their movie counts and mean
-- rating, for genres with at least min_movies movies (from the view genre_frequency).
-- param: min_movies integer 1
-- columns: genre, n_movies, n_ratings, mean_rating
select
    g.genre,
    g.n_movies,
    g.n_ratings,
    round(g.mean_rating::numeric, 3) as mean_rating
from {{current}}.genre_frequency as g
where g.n_movies >= $1::integer
order by g.n_ratings desc, g.genre;

-- top_rated: the best movies by weighted rating (IMDb-style, from the train split), with at
-- least min_votes train ratings (the view top_rated has every movie).
-- param: min_votes integer 50
-- param: limit integer 15
-- columns: movie_id, title, year, n_ratings, mean_rating, weighted_rating
select
    t.movie_id,
    t.title,
    t.year,
    t.n_ratings,
    round(t.mean_rating::numeric, 3) as mean_rating,
    round(t.weighted_rating::numeric, 3) as weighted_rating
from {{current}}.top_rated as t
where t.n_ratings >= $1::integer
order by t.weighted_rating desc, t.movie_id
limit $2::integer;

-- top_rated: the best movies by weighted rating (IMDb-style, from the train split), with at
-- least :min_votes train ratings.
-- param: min_votes integer 50
-- param: limit integer 15
-- columns: movie_id, title, year, n_ratings, mean_rating, weighted_rating
select
    m.movie_id,
    m.title,
    m.year,
    s.n_ratings,
    round(s.mean_rating::numeric, 3) as mean_rating,
    round(s.weighted_rating::numeric, 3) as weighted_rating
from {{current}}.movie_stats as s
join {{current}}.movies as m on m.movie_id = s.movie_id
where s.n_ratings >= $1::integer
order by s.weighted_rating desc, m.movie_id
limit $2::integer;

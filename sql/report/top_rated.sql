-- top_rated: the 15 best movies by weighted rating.
select rank, movie_id, title, n_ratings, mean_rating, weighted_rating
from {{current}}.top_rated
order by weighted_rating desc, movie_id
limit 15

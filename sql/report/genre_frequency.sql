-- genre_frequency: movies and ratings per genre, most common first.
select genre, n_movies, n_ratings, mean_rating
from {{current}}.genre_frequency
order by n_movies desc, genre

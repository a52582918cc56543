-- films_per_year: movies per release year.
select year, n_movies
from {{current}}.films_per_year
order by year

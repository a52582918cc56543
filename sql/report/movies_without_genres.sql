-- movies_without_genres: movies listed with "(no genres listed)" (no bar of genre frequency counts them).
select count(*) as n_movies
from {{current}}.movies
where no_genres

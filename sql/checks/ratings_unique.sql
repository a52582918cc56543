-- ratings_unique: at most one rating per (user, movie) (duplicates were dropped or superseded).
-- dataset: ratings
-- returns the repeated keys: user_id, movie_id, n_rows
select r.user_id, r.movie_id, count(*) as n_rows
from {{current}}.ratings as r
group by r.user_id, r.movie_id
having count(*) > 1
order by r.user_id, r.movie_id

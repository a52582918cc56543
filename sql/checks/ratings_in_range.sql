-- ratings_in_range: every rating is in [0.5, 5.0] and on the half-star grid (0.5, 1.0, ... 5.0).
-- dataset: ratings
-- returns the violating ratings: user_id, movie_id, rating, split
select r.user_id, r.movie_id, r.rating, r.split
from {{current}}.ratings as r
where r.rating < 0.5
    or r.rating > 5.0
    or r.rating * 2 <> round(r.rating * 2)
    or r.rating is null
order by r.user_id, r.movie_id

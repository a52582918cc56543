-- ratings_in_range: every rating is in [0.5, 5.0] and on the half-star grid (0.5, 1.0, ... 5.0),
-- in ratings and in the held-back ratings_buffer.
-- dataset: ratings
-- returns the violating ratings: user_id, movie_id, rating, split (a held-back row: 'buffer (held back)')
with

every_rating as (
    select r.user_id, r.movie_id, r.rating, r.split from {{current}}.ratings as r
    union all
    select b.user_id, b.movie_id, b.rating, b.split || ' (held back)' from {{current}}.ratings_buffer as b
    where not exists (select from {{current}}.ratings as r where r.user_id = b.user_id and r.movie_id = b.movie_id)
)

select user_id, movie_id, rating, split
from every_rating
where rating < 0.5
    or rating > 5.0
    or rating * 2 <> round(rating * 2)
    or rating is null
order by user_id, movie_id, split

-- rating_counts: for `lens drift`, ratings per half star in train (batch 0) and in each buffer
-- batch (1..N), whether the batch is in ratings or still held back in ratings_buffer (a row
-- appended by `lens append` is in both and counts once).
-- columns: batch, rating (numeric 0.5..5.0), n_ratings
with

buffer as (
    select r.user_id, r.movie_id, r.rating, r.batch from {{current}}.ratings as r where r.split = 'buffer'
    union all
    select b.user_id, b.movie_id, b.rating, b.batch from {{current}}.ratings_buffer as b
    where not exists (select from {{current}}.ratings as r where r.user_id = b.user_id and r.movie_id = b.movie_id)
),

parts as (
    select 0 as batch, r.rating from {{current}}.ratings as r where r.split = 'train'
    union all
    select buffer.batch, buffer.rating from buffer
)

select batch, rating::numeric(2, 1) as rating, count(*) as n_ratings
from parts
group by 1, 2
order by 1, 2

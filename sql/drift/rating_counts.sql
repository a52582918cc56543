-- rating_counts: for `lens drift`, ratings per half star in train (batch 0) and in each buffer
-- batch (1..N), whether the batch is in ratings or still held back in ratings_buffer (the view
-- every_rating counts a row appended by `lens append` once).
-- columns: batch, rating (numeric 0.5..5.0), n_ratings
with

-- train is batch 0
parts as (
    select coalesce(e.batch, 0) as batch, e.rating from {{current}}.every_rating as e where e.split in ('train', 'buffer')
)

select batch, rating::numeric(2, 1) as rating, count(*) as n_ratings
from parts
group by 1, 2
order by 1, 2

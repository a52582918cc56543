-- activity_counts: for `lens drift`, the user-activity mix of train (batch 0) and of each buffer
-- batch: each rating is counted in the activity bucket of its user, by the user's ratings in
-- the whole version (ratings and held-back buffer, each (user, movie) once); the buckets of
-- the view user_activity.
-- columns: batch, activity, min_ratings, n_ratings
with

-- train is batch 0
parts as (
    select coalesce(e.batch, 0) as batch, e.user_id from {{current}}.every_rating as e where e.split in ('train', 'buffer')
),

per_user as (
    select e.user_id, count(*) as n_ratings from {{current}}.every_rating as e group by e.user_id
),

buckets (activity, min_ratings, max_ratings) as (
    values
        ('1-19', 1, 19),
        ('20-49', 20, 49),
        ('50-99', 50, 99),
        ('100-199', 100, 199),
        ('200-499', 200, 499),
        ('500-999', 500, 999),
        ('1000+', 1000, null::integer)
)

select p.batch, b.activity, b.min_ratings, count(*) as n_ratings
from parts as p
join per_user as u on u.user_id = p.user_id
join buckets as b on u.n_ratings >= b.min_ratings and (b.max_ratings is null or u.n_ratings <= b.max_ratings)
group by 1, 2, 3
order by 1, 3

-- user_clusters: for `lens drift`, how the ratings of train (batch 0) and of each buffer batch
-- cluster by user: the sums DriftStatistics.UserClusters needs for the intra-user correlation of
-- ratings (from train), each sample's design effect and its effective number of users. Held-back
-- batches count as in rating_counts.sql.
-- columns: batch, n_users, n_ratings, sum_m2 (Σ m² over users, m = the user's ratings in the
--   sample), sum_y, sum_y2 (Σ rating, Σ rating²), sum_s2_over_m (Σ S² / m over users, S = the
--   sum of the user's ratings)
with

-- train is batch 0
parts as (
    select coalesce(e.batch, 0) as batch, e.user_id, e.rating
    from {{current}}.every_rating as e where e.split in ('train', 'buffer')
),

-- Same bits whatever order (parallel) aggregation adds rows in, so that a rerun or an append
-- gives the same report: ratings are half stars, so m, S and Σ rating² per user and their sums
-- are exact in float8; only S² / m is not, and its sum over users is taken in numeric (exact).
per_user as (
    select
        p.batch,
        p.user_id,
        count(*)::float8 as m,
        sum(p.rating::float8) as s,
        sum(p.rating::float8 * p.rating::float8) as s2
    from parts as p
    group by 1, 2
)

select
    batch,
    count(*) as n_users,
    sum(m)::bigint as n_ratings,
    sum(m * m) as sum_m2,
    sum(s) as sum_y,
    sum(s2) as sum_y2,
    sum((s * s / m)::numeric) as sum_s2_over_m
from per_user
group by 1
order by 1

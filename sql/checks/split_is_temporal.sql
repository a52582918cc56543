-- split_is_temporal: no test or buffer rating is earlier than the last train rating, and the
-- buffer is cut in time order (no batch earlier than the end of the batch before it); held-back
-- batches in ratings_buffer included.
-- dataset: ratings
-- returns the violating ratings: user_id, movie_id, split, batch, rated_at, and the bound it is
-- earlier than (must_not_be_before)
with

every_rating as (
    select r.user_id, r.movie_id, r.rated_at, r.split, r.batch from {{current}}.ratings as r
    union all
    select b.user_id, b.movie_id, b.rated_at, b.split, b.batch from {{current}}.ratings_buffer as b
    where not exists (select from {{current}}.ratings as r where r.user_id = b.user_id and r.movie_id = b.movie_id)
),

last_train as (
    select max(r.rated_at) as rated_at from {{current}}.ratings as r where r.split = 'train'
),

batch_ends as (
    select r.batch, max(r.rated_at) as last_rated_at
    from every_rating as r
    where r.split = 'buffer'
    group by r.batch
),

bounds as (
    -- test and buffer rows: the last train row; buffer batch b > 1: also the end of batch b-1
    select
        r.user_id,
        r.movie_id,
        r.split,
        r.batch,
        r.rated_at,
        greatest((select rated_at from last_train), prev.last_rated_at) as must_not_be_before
    from every_rating as r
    left join batch_ends as prev on r.split = 'buffer' and prev.batch = r.batch - 1
    where r.split in ('test', 'buffer')
)

select * from bounds
where rated_at < must_not_be_before
order by rated_at, user_id, movie_id

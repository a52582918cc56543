-- split_is_temporal: no test or buffer rating is earlier than the last train rating, and the
-- buffer is cut in time order (no batch earlier than the end of the batch before it); held-back
-- batches in ratings_buffer included.
-- dataset: ratings
-- returns the violating ratings: user_id, movie_id, split, batch, rated_at, and the bound it is
-- earlier than (must_not_be_before)
--
-- One pass finds each split's and batch's time range; a row can only be out of order if the
-- first row of its group is, so the second pass that lists the rows runs only then.
with

every_rating as not materialized (
    -- read twice, never stored: at ml-25m a stored copy would be 25M rows
    select r.user_id, r.movie_id, r.rated_at, r.split, r.batch from {{current}}.ratings as r
    union all
    select b.user_id, b.movie_id, b.rated_at, b.split, b.batch from {{current}}.ratings_buffer as b
    where not exists (select from {{current}}.ratings as r where r.user_id = b.user_id and r.movie_id = b.movie_id)
),

group_ranges as (
    select r.split, r.batch, min(r.rated_at) as first_rated_at, max(r.rated_at) as last_rated_at
    from every_rating as r
    group by r.split, r.batch
),

last_train as (
    select max(g.last_rated_at) as rated_at from group_ranges as g where g.split = 'train'
),

batch_ends as (
    select g.batch, g.last_rated_at from group_ranges as g where g.split = 'buffer'
),

group_bounds as (
    -- test and buffer groups: the last train row; buffer batch b > 1: also the end of batch b-1
    select
        g.split,
        g.batch,
        g.first_rated_at,
        greatest((select rated_at from last_train), prev.last_rated_at) as must_not_be_before
    from group_ranges as g
    left join batch_ends as prev on g.split = 'buffer' and prev.batch = g.batch - 1
    where g.split in ('test', 'buffer')
),

out_of_order as (
    select exists (select from group_bounds as g where g.first_rated_at < g.must_not_be_before) as found
),

bounds as (
    select
        r.user_id,
        r.movie_id,
        r.split,
        r.batch,
        r.rated_at,
        g.must_not_be_before
    from every_rating as r
    join group_bounds as g on g.split = r.split and g.batch is not distinct from r.batch
    where (select found from out_of_order)
)

select * from bounds
where rated_at < must_not_be_before
order by rated_at, user_id, movie_id

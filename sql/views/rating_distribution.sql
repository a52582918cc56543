-- rating_distribution: how many ratings sit on each half star, overall and per split.
-- columns:
--   rating      the half-star value, 0.5 .. 5.0 (numeric(2,1))
--   n_ratings   ratings with that value, all splits
--   share       n_ratings / all ratings (0..1)
--   n_train     ratings with that value in the train split
--   n_test      ... in the test split
--   n_buffer    ... in the buffer (every batch)
-- Every half star appears, with zero counts when no rating has it.
-- Reads rollup_ratings (counts per part of the split), summing the parts in ratings: train,
-- test, and the buffer batches there (all, unless held back for `lens append`).
create view {{current}}.rating_distribution as

with

grid as (
    select (g * 0.5)::numeric(2, 1) as rating
    from generate_series(1, 10) as g
),

counted as (
    select
        r.rating::numeric(2, 1) as rating,
        sum(r.n_ratings)::bigint as n_ratings,
        coalesce(sum(r.n_ratings) filter (where r.split = 'train'), 0)::bigint as n_train,
        coalesce(sum(r.n_ratings) filter (where r.split = 'test'), 0)::bigint as n_test,
        coalesce(sum(r.n_ratings) filter (where r.split = 'buffer'), 0)::bigint as n_buffer
    from {{current}}.rollup_ratings as r
    where r.batch is null or r.batch in (select a.batch from {{current}}.appended_batches as a)
    group by 1
),

final as (
    select
        grid.rating,
        coalesce(c.n_ratings, 0) as n_ratings,
        coalesce(c.n_ratings::double precision / nullif(sum(c.n_ratings) over (), 0), 0) as share,
        coalesce(c.n_train, 0) as n_train,
        coalesce(c.n_test, 0) as n_test,
        coalesce(c.n_buffer, 0) as n_buffer
    from grid
    left join counted as c on c.rating = grid.rating
)

select * from final;

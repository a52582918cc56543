-- split_summary: the temporal split: rows and time bounds per split and buffer batch, including
-- buffer batches held back in ratings_buffer that `lens append` has not moved into ratings yet.
-- columns:
--   split           train | test | buffer
--   batch           1..N within the buffer; null for train and test
--   n_ratings       rows
--   n_users         distinct users
--   n_movies        distinct movies
--   first_rated_at  earliest rated_at
--   last_rated_at   latest rated_at
--   held_back       true for a buffer batch still only in ratings_buffer (not in ratings yet)
--   seq             1, 2, 3 ... in time order (train, test, buffer batch 1, 2, ...), for sorting
-- Reads rollup_parts (one row per part, computed at load); a batch is held back while ratings
-- has none of its rows.
create view {{current}}.split_summary as

with

final as (
    select
        p.split,
        p.batch,
        p.n_ratings,
        p.n_users,
        p.n_movies,
        p.first_rated_at,
        p.last_rated_at,
        p.batch is not null and p.batch not in (select a.batch from {{current}}.appended_batches as a) as held_back,
        row_number() over (
            order by case p.split when 'train' then 1 when 'test' then 2 else 3 end, p.batch nulls first
        ) as seq
    from {{current}}.rollup_parts as p
)

select * from final;

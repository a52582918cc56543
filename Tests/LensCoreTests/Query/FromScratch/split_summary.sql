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
create view {{current}}.split_summary as

with

per_part as (
    select
        r.split,
        r.batch,
        count(*) as n_ratings,
        count(distinct r.user_id) as n_users,
        count(distinct r.movie_id) as n_movies,
        min(r.rated_at) as first_rated_at,
        max(r.rated_at) as last_rated_at,
        bool_and(r.held_back) as held_back
    from {{current}}.every_rating as r
    group by r.split, r.batch
),

final as (
    select
        split,
        batch,
        n_ratings,
        n_users,
        n_movies,
        first_rated_at,
        last_rated_at,
        held_back,
        row_number() over (
            order by case split when 'train' then 1 when 'test' then 2 else 3 end, batch nulls first
        ) as seq
    from per_part
)

select * from final;

-- heavy_user_share: how many users made at least min_ratings ratings (any split), and what
-- share of all users and of all ratings they account for.
-- param: min_ratings integer 200
-- columns: min_ratings, n_users, n_ratings, share_of_users, share_of_ratings
-- (reads rollup_users, per part of the split and user: the parts in ratings, summed)
with

per_user as (
    select r.user_id, sum(r.n_ratings) as n_ratings
    from {{current}}.rollup_users as r
    where r.batch is null or r.batch in (select a.batch from {{current}}.appended_batches as a)
    group by r.user_id
)

select
    $1::integer as min_ratings,
    count(*) filter (where n_ratings >= $1::integer) as n_users,
    coalesce(sum(n_ratings) filter (where n_ratings >= $1::integer), 0)::bigint as n_ratings,
    round((count(*) filter (where n_ratings >= $1::integer))::numeric / nullif(count(*), 0), 4) as share_of_users,
    round(coalesce(sum(n_ratings) filter (where n_ratings >= $1::integer), 0)::numeric / nullif(sum(n_ratings), 0), 4)
        as share_of_ratings
from per_user;

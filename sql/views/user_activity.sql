-- user_activity: users grouped by how many ratings they made (any split), and how much of the
-- rating volume each group contributes. "What share of ratings comes from users with 200+
-- ratings?" is share_of_ratings_at_least on the row whose min_ratings is 200 (or the named
-- query heavy_user_share for any threshold).
-- columns:
--   activity         bucket label: 1-19, 20-49, 50-99, 100-199, 200-499, 500-999, 1000+
--   min_ratings      lower bound of the bucket (inclusive)
--   max_ratings      upper bound (inclusive; null for the last bucket)
--   n_users          users in the bucket
--   n_ratings        their ratings
--   share_of_users   n_users / all users who rated
--   share_of_ratings  n_ratings / all ratings
--   share_of_ratings_at_least  share of all ratings made by users with at least min_ratings ratings
-- Every bucket appears, with zeros when empty.
-- Reads rollup_users (per part of the split and user), summing the parts in ratings (train,
-- test, and the buffer batches there).
create view {{current}}.user_activity as

with

buckets (activity, min_ratings, max_ratings) as (
    values
        ('1-19', 1, 19),
        ('20-49', 20, 49),
        ('50-99', 50, 99),
        ('100-199', 100, 199),
        ('200-499', 200, 499),
        ('500-999', 500, 999),
        ('1000+', 1000, null::integer)
),

per_user as (
    select r.user_id, sum(r.n_ratings) as n_ratings
    from {{current}}.rollup_users as r
    where r.batch is null or r.batch in (select a.batch from {{current}}.appended_batches as a)
    group by r.user_id
),

per_bucket as (
    select
        b.activity,
        b.min_ratings,
        b.max_ratings,
        count(u.user_id) as n_users,
        coalesce(sum(u.n_ratings), 0)::bigint as n_ratings
    from buckets as b
    left join per_user as u
        on u.n_ratings >= b.min_ratings
        and (b.max_ratings is null or u.n_ratings <= b.max_ratings)
    group by b.activity, b.min_ratings, b.max_ratings
),

final as (
    select
        activity,
        min_ratings,
        max_ratings,
        n_users,
        n_ratings,
        coalesce(n_users::double precision / nullif(sum(n_users) over (), 0), 0) as share_of_users,
        coalesce(n_ratings::double precision / nullif(sum(n_ratings) over (), 0), 0) as share_of_ratings,
        coalesce(
            sum(n_ratings) over (order by min_ratings desc)::double precision / nullif(sum(n_ratings) over (), 0),
            0
        ) as share_of_ratings_at_least
    from per_bucket
)

select * from final;

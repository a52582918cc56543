-- ratings_per_month: rating activity per calendar month (UTC), all splits.
-- columns:
--   month        first day of the month (date, UTC)
--   n_ratings    ratings made that month
--   n_users      distinct users who rated that month
--   n_movies     distinct movies rated that month
--   mean_rating  mean rating that month
--   n_train, n_test, n_buffer   ratings of the month in each split (a month may straddle two)
-- Only months with at least one rating appear.
-- Reads rollup_months (per part of the split and month), summing the parts in ratings (train,
-- test, and the buffer batches there). Distinct users and movies do not add up across parts:
-- a month with one part is that part's count, a month two parts share counts the distinct ids
-- of rollup_month_users and rollup_month_movies.
create view {{current}}.ratings_per_month as

with

months as (
    select
        m.month_start,
        count(*) as n_parts,
        sum(m.n_ratings)::bigint as n_ratings,
        sum(m.sum_rating) as sum_rating,
        max(m.n_users) as n_users_of_one_part,
        max(m.n_movies) as n_movies_of_one_part,
        coalesce(sum(m.n_ratings) filter (where m.split = 'train'), 0)::bigint as n_train,
        coalesce(sum(m.n_ratings) filter (where m.split = 'test'), 0)::bigint as n_test,
        coalesce(sum(m.n_ratings) filter (where m.split = 'buffer'), 0)::bigint as n_buffer
    from {{current}}.rollup_months as m
    where m.batch is null or m.batch in (select a.batch from {{current}}.appended_batches as a)
    group by m.month_start
),

shared_users as (
    select u.month_start, count(distinct u.user_id) as n_users
    from {{current}}.rollup_month_users as u
    where u.batch is null or u.batch in (select a.batch from {{current}}.appended_batches as a)
    group by u.month_start
),

shared_movies as (
    select v.month_start, count(distinct v.movie_id) as n_movies
    from {{current}}.rollup_month_movies as v
    where v.batch is null or v.batch in (select a.batch from {{current}}.appended_batches as a)
    group by v.month_start
),

final as (
    select
        (m.month_start at time zone 'UTC')::date as month,
        m.n_ratings,
        case when m.n_parts = 1 then m.n_users_of_one_part else su.n_users end as n_users,
        case when m.n_parts = 1 then m.n_movies_of_one_part else sm.n_movies end as n_movies,
        m.sum_rating / m.n_ratings::double precision as mean_rating,
        m.n_train,
        m.n_test,
        m.n_buffer
    from months as m
    left join shared_users as su on su.month_start = m.month_start
    left join shared_movies as sm on sm.month_start = m.month_start
)

select * from final;

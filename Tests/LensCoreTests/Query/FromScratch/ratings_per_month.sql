-- ratings_per_month: rating activity per calendar month (UTC), all splits.
-- columns:
--   month        first day of the month (date, UTC)
--   n_ratings    ratings made that month
--   n_users      distinct users who rated that month
--   n_movies     distinct movies rated that month
--   mean_rating  mean rating that month
--   n_train, n_test, n_buffer   ratings of the month in each split (a month may straddle two)
-- Only months with at least one rating appear.
create view {{current}}.ratings_per_month as

with

ratings as (
    select
        date_trunc('month', r.rated_at at time zone 'UTC')::date as month,
        r.user_id,
        r.movie_id,
        r.rating,
        r.split
    from {{current}}.ratings as r
),

final as (
    select
        month,
        count(*) as n_ratings,
        count(distinct user_id) as n_users,
        count(distinct movie_id) as n_movies,
        avg(rating::double precision) as mean_rating,
        count(*) filter (where split = 'train') as n_train,
        count(*) filter (where split = 'test') as n_test,
        count(*) filter (where split = 'buffer') as n_buffer
    from ratings
    group by month
)

select * from final;

-- no_future_ratings: no rating (in ratings or held back in ratings_buffer) is later than the drop
-- date + 1 day, the capping bound; the drop date is the current version's
-- {{catalog}}.versions.drop_date. Passes when it is unknown.
-- dataset: ratings
-- returns the violating ratings: user_id, movie_id, rated_at, latest_allowed
with

bound as (
    select (v.drop_date + 1)::timestamp at time zone 'UTC' as latest_allowed
    from {{catalog}}.versions as v
    where v.is_current and v.drop_date is not null
),

every_rating as not materialized (
    -- read twice, never stored: at ml-25m a stored copy would be 25M rows
    select r.user_id, r.movie_id, r.rated_at from {{current}}.ratings as r
    union all
    select b.user_id, b.movie_id, b.rated_at from {{current}}.ratings_buffer as b
    where not exists (select from {{current}}.ratings as r where r.user_id = b.user_id and r.movie_id = b.movie_id)
),

latest as (
    -- one pass for the latest rating; the rows are listed only when it is past the bound
    select max(e.rated_at) as rated_at from every_rating as e
)

select e.user_id, e.movie_id, e.rated_at, bound.latest_allowed
from every_rating as e
cross join bound
where (select rated_at from latest) > (select latest_allowed from bound)
    and e.rated_at > bound.latest_allowed
order by rated_at, user_id, movie_id

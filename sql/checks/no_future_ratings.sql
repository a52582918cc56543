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

every_rating as (
    select r.user_id, r.movie_id, r.rated_at from {{current}}.ratings as r
    union all
    select b.user_id, b.movie_id, b.rated_at from {{current}}.ratings_buffer as b
    where not exists (select from {{current}}.ratings as r where r.user_id = b.user_id and r.movie_id = b.movie_id)
)

select e.user_id, e.movie_id, e.rated_at, bound.latest_allowed
from every_rating as e
cross join bound
where e.rated_at > bound.latest_allowed
order by e.rated_at, e.user_id, e.movie_id

-- no_future_ratings: no rating is later than the drop date + 1 day (the capping bound; the drop
-- date is the current version's {{catalog}}.versions.drop_date). Passes when it is unknown.
-- dataset: ratings
-- returns the violating ratings: user_id, movie_id, rated_at, latest_allowed
with

bound as (
    select (v.drop_date + 1)::timestamp at time zone 'UTC' as latest_allowed
    from {{catalog}}.versions as v
    where v.is_current and v.drop_date is not null
)

select r.user_id, r.movie_id, r.rated_at, bound.latest_allowed
from {{current}}.ratings as r
cross join bound
where r.rated_at > bound.latest_allowed
order by r.rated_at, r.user_id, r.movie_id

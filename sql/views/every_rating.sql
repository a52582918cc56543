-- every_rating: every clean rating of the current version once: the ratings table, plus the
-- buffer batches held back in ratings_buffer that `lens append` has not moved into ratings yet
-- (a row already appended is in both and counts once). The drift queries and split_summary
-- read the buffer through it.
-- columns:
--   user_id, movie_id, rating, rated_at   as in ratings
--   split       train | test | buffer
--   batch       1..N within the buffer; null for train and test
--   held_back   true for a row still only in ratings_buffer
create view {{current}}.every_rating as
select r.user_id, r.movie_id, r.rating, r.rated_at, r.split, r.batch, false as held_back
from {{current}}.ratings as r
union all
select b.user_id, b.movie_id, b.rating, b.rated_at, b.split, b.batch, true as held_back
from {{current}}.ratings_buffer as b
where not exists (
    select from {{current}}.ratings as r where r.user_id = b.user_id and r.movie_id = b.movie_id
);

-- append_batch: moves held-back buffer batch $1 of version {{schema}} into its ratings.
-- Idempotent: a row already in ratings is left as it is (same key, same values), so appending a
-- batch twice adds nothing, and batches 1..N appended one at a time give the table a full load gives.
insert into {{schema}}.ratings (user_id, movie_id, rating, rated_at, split, batch, source_line)
select user_id, movie_id, rating, rated_at, split, batch, source_line
from {{schema}}.ratings_buffer
where batch = $1::smallint
on conflict (user_id, movie_id) do nothing;

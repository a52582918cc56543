-- appended_batches: the buffer batches whose ratings are in ratings (appended by `lens append`,
-- or loaded at once), which the summary views over the rollups sum beside train and test.
-- columns:
--   batch   buffer batch number, 1..N
-- The batches still held back in ratings_buffer are the others of rollup_parts. One probe per
-- batch of the partial index on ratings.batch answers it at once, whatever the size of ratings.
create view {{current}}.appended_batches as

select p.batch
from {{current}}.rollup_parts as p
where p.batch is not null
    and exists (select from {{current}}.ratings as r where r.batch = p.batch);

-- progress_load: how far the load's index builds and its ANALYZE are, for the progress line; polled
-- from a third, short-lived connection while the two load connections are busy. One row per busy
-- backend: (pid, phase, blocks done, blocks in all, tuples done, tuples in all); a total of 0 means
-- the phase has nothing to count. $1 the load's backend pids (int[] literal).
select pid, phase, blocks_done, blocks_total, tuples_done, tuples_total
from pg_stat_progress_create_index where pid = any($1::int[])
union all
select pid, phase, sample_blks_scanned, sample_blks_total, 0, 0
from pg_stat_progress_analyze where pid = any($1::int[]);

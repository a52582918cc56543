-- count_backends: how many of these backends still run. $1 the backend pids (int[] literal)
select count(*) from pg_stat_activity where pid = any($1::int[]);

-- terminate_backends: ends lens's own connections of an interrupted run (the server rolls their
-- open transaction back). $1 the backend pids (int[] literal)
select pg_terminate_backend(pid) from unnest($1::int[]) as pid;

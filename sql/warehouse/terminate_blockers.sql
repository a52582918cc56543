-- terminate_blockers: `--terminate-blockers` past the publish deadline ends the sessions $1 (pids)
-- that hold locks publishing needs; their open transactions roll back. Waits up to 5 s for each
-- to exit, so that its locks are gone when the publish retries.
select pid, pg_terminate_backend(pid, 5000) from unnest($1::integer[]) as pid;

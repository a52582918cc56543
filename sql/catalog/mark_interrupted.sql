-- mark_interrupted: runs still 'running' while no process holds the warehouse lock were ended
-- without finishing (SIGKILL, a lost connection, `lens db stop` during a load): their
-- transaction was rolled back, say so. Every writer holds the lock (pg_advisory_lock on "lens"
-- in ASCII: classid 0, objid 1818586739) for its whole run, so a 'running' row with no holder
-- but this session (a writer calls this right after taking the lock) is a dead run. Any command
-- that opens the catalog calls it.
update {{catalog}}.runs
set status = 'interrupted',
    finished_at = coalesce(finished_at, now()),
    error = coalesce(error, 'the process ended before the run finished; nothing it loaded became visible')
where status = 'running'
  and not exists (
      select 1 from pg_locks
      where locktype = 'advisory' and granted and classid = 0 and objid = 1818586739 and objsubid = 1
        and pid <> pg_backend_pid());

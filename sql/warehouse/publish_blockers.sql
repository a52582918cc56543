-- publish_blockers: the sessions holding a lock on a relation that publishing replaces: anything
-- in the current schema $1 (`movielens`, dropped and recreated) and the analyst views of the
-- catalog schema $2 (replaced). Publishing takes ACCESS EXCLUSIVE on them, which conflicts with
-- every lock mode, so every holder is a blocker. Run after the publish's lock_timeout rolled it
-- back: pg_blocking_pids(publisher) answers only while the wait lasts, pg_locks still shows who holds.
select a.pid,
       coalesce(a.usename, ''),
       coalesce(nullif(a.application_name, ''), '-'),
       coalesce(a.state, ''),
       coalesce(a.xact_start, a.query_start, a.backend_start)::text,
       string_agg(distinct n.nspname || '.' || c.relname, ', ')
from pg_locks l
join pg_class c on c.oid = l.relation
join pg_namespace n on n.oid = c.relnamespace
join pg_stat_activity a on a.pid = l.pid
where l.granted
  and l.pid <> pg_backend_pid()
  and l.database = (select oid from pg_database where datname = current_database())
  and (n.nspname = $1 or (n.nspname = $2 and c.relkind = 'v'))
group by a.pid, a.usename, a.application_name, a.state, a.xact_start, a.query_start, a.backend_start
order by a.pid;

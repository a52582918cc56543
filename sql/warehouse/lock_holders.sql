-- lock_holders: the sessions holding lens's warehouse lock (advisory lock "lens" in ASCII:
-- classid 0, objid 1818586739), for the message of a writer that waits for it or is refused.
select a.pid, coalesce(a.usename, '?') as usename, coalesce(nullif(a.application_name, ''), '?') as application_name,
       coalesce(to_char(a.backend_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '?') as since
from pg_locks as l
join pg_stat_activity as a on a.pid = l.pid
where l.locktype = 'advisory' and l.granted and l.classid = 0 and l.objid = 1818586739 and l.objsubid = 1
order by a.pid;

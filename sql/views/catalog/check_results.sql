-- check_results: the latest outcome of every data-quality check of the current version (from
-- the catalog {{catalog}}.checks; checks run at load time and by `lens check`).
-- columns:
--   dataset     the table the check is about
--   check_name  e.g. ratings_in_range
--   passed      true when no row violated it
--   observed    what was seen (e.g. "0 violating rows")
--   run_id      the run that recorded it
--   checked_at  when that run started
create view {{current}}.check_results as

with

current_version as (
    select v.version from {{catalog}}.versions as v where v.is_current
),

latest as (
    select distinct on (c.dataset, c.name)
        c.dataset,
        c.name as check_name,
        c.passed,
        c.observed,
        c.run_id,
        r.started_at as checked_at
    from {{catalog}}.checks as c
    join {{catalog}}.runs as r on r.run_id = c.run_id
    where r.version = (select version from current_version)
    order by c.dataset, c.name, c.run_id desc
)

select * from latest;

-- checks: the latest result of every check recorded for the current version (at load and by
-- `lens check`), failed first.
with

latest as (
    select distinct on (c.dataset, c.name)
        c.dataset, c.name, c.passed, c.observed, c.details ->> 'first_rows' as first_rows, c.run_id, r.command
    from {{catalog}}.checks as c
    join {{catalog}}.runs as r on r.run_id = c.run_id
    join {{catalog}}.versions as v on v.version = r.version and v.is_current
    order by c.dataset, c.name, c.run_id desc
)

select * from latest order by passed, dataset, name

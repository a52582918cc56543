-- versions: every loaded version of the warehouse (from the catalog {{catalog}}.versions, which
-- analysts cannot read directly); exactly one is current, the one this schema shows.
-- columns:
--   version      1, 2, ... in load order
--   is_current   true for the version {{current}} shows
--   drop_date    the date of the MovieLens drop it was loaded from
--   loaded_at    when its load committed
--   n_ratings    ratings loaded in that version (null when not recorded)
--   is_pruned    true when `lens catalog prune` dropped its schema (only its catalog rows remain)
create view {{current}}.versions as

with

loaded_ratings as (
    select d.version, max(d.rows) as n_ratings
    from {{catalog}}.datasets as d
    where d.kind = 'loaded' and d.name = 'ratings'
    group by d.version
),

final as (
    select
        v.version,
        v.is_current,
        v.drop_date,
        v.created_at as loaded_at,
        lr.n_ratings,
        v.dropped_at is not null as is_pruned
    from {{catalog}}.versions as v
    left join loaded_ratings as lr on lr.version = v.version
)

select * from final;

-- row_counts_match_catalog: every table of the current version has the rows the catalog
-- recorded for it when it was loaded ({{catalog}}.datasets, kind 'loaded', current version),
-- ratings plus the buffer batches `lens append` moved in since ({{catalog}}.appends), and a
-- held-back ratings_buffer the cleaned ratings the load did not put in ratings.
-- dataset: warehouse
-- returns one row per table whose count differs or that the catalog lacks while it holds rows:
--   table_name, catalog_rows (null when not recorded), actual_rows
with

current_version as (
    select v.version from {{catalog}}.versions as v where v.is_current
),

loaded as (
    select d.name as table_name, max(d.rows) as catalog_rows
    from {{catalog}}.datasets as d
    where d.kind = 'loaded' and d.version = (select version from current_version)
    group by d.name
),

appended as (
    select coalesce(sum(a.rows), 0) as n_rows
    from {{catalog}}.appends as a
    where a.version = (select version from current_version)
),

held_back as (
    -- cleaned ratings that the load did not put in ratings (0 when the buffer was loaded)
    select c.rows - l.catalog_rows as catalog_rows
    from {{catalog}}.datasets as c
    join loaded as l on l.table_name = 'ratings'
    where c.kind = 'cleaned' and c.name = 'ratings' and c.version = (select version from current_version)
),

recorded as (
    select
        l.table_name,
        l.catalog_rows + case when l.table_name = 'ratings' then (select n_rows from appended) else 0 end
            as catalog_rows
    from loaded as l
    union all
    select 'ratings_buffer', h.catalog_rows from held_back as h
),

actual (table_name, actual_rows) as (
    select 'movies', count(*) from {{current}}.movies
    union all select 'links', count(*) from {{current}}.links
    union all select 'tags', count(*) from {{current}}.tags
    union all select 'ratings', count(*) from {{current}}.ratings
    union all select 'ratings_buffer', count(*) from {{current}}.ratings_buffer
    union all select 'genome_tags', count(*) from {{current}}.genome_tags
    union all select 'genome_scores', count(*) from {{current}}.genome_scores
    union all select 'movie_embeddings', count(*) from {{current}}.movie_embeddings
    union all select 'genome_pca', count(*) from {{current}}.genome_pca
    union all select 'movie_stats', count(*) from {{current}}.movie_stats
    union all select 'user_stats', count(*) from {{current}}.user_stats
    union all select 'quarantine', count(*) from {{current}}.quarantine
),

compared as (
    select
        coalesce(a.table_name, r.table_name) as table_name,
        r.catalog_rows,
        coalesce(a.actual_rows, 0) as actual_rows
    from actual as a
    full join recorded as r on r.table_name = a.table_name
)

select * from compared
where catalog_rows is distinct from actual_rows
    and not (catalog_rows is null and actual_rows = 0)
order by table_name

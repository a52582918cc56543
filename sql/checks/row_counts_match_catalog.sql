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

names as (
    -- every table the catalog recorded, and every table a version has (to catch rows it lacks)
    select r.table_name from recorded as r
    union
    select unnest(array[
        'movies', 'links', 'tags', 'ratings', 'ratings_buffer', 'genome_tags', 'genome_scores',
        'movie_embeddings', 'genome_pca', 'movie_stats', 'user_stats', 'users', 'quarantine'
    ])
),

counted as (
    -- count(*) of every table of {{current}}: lens puts one `select '<table>', count(*) from
    -- {{current}}.<table>` per table it finds there in place of the marker below (plain SQL,
    -- no optional server feature such as query_to_xml, which a server built without libxml lacks)
    /*table_counts*/
),

actual as (
    -- a table missing from {{current}} counts as 0 rows
    select n.table_name, c.actual_rows
    from names as n
    left join counted as c on c.table_name = n.table_name
),

compared as (
    select
        coalesce(a.table_name, r.table_name) as table_name,
        r.catalog_rows,
        coalesce(a.actual_rows, 0) as actual_rows
    from actual as a
    left join recorded as r on r.table_name = a.table_name
)

select * from compared
where catalog_rows is distinct from actual_rows
    and not (catalog_rows is null and actual_rows = 0)
order by table_name

-- catalog_schema: the lens catalog in schema {{catalog}}. Idempotent: run before every load.
-- docs/catalog.md documents every table and shows the queries analysts ask of it.
create schema if not exists {{catalog}};

-- runs: one row per `lens run` / `lens load` / `lens append`, whatever its outcome.
create table if not exists {{catalog}}.runs (
    run_id            bigserial primary key,
    command           text        not null,          -- run | load | append | prune | check
    pipeline_file     text,
    pipeline_sha256   text,
    lens_version      text        not null,
    source            text        not null,          -- drop path (or Parquet folder)
    source_sha256     text,                          -- fingerprint of the drop's files
    started_at        timestamptz not null default now(),
    finished_at       timestamptz,
    status            text        not null default 'running',  -- running | succeeded | failed | refused | interrupted | skipped
    version           integer,                       -- the version it produced, if any
    stage_seconds     jsonb       not null default '{}',
    row_counts        jsonb       not null default '{}',
    reconciliation    jsonb       not null default '[]',
    quarantine_counts jsonb       not null default '{}',
    error             text
);

-- catalogs made before the publish guards and warnings existed get their columns here.
alter table {{catalog}}.runs add column if not exists guard_overrides text[] not null default '{}';  -- flags that published past a guard
alter table {{catalog}}.runs add column if not exists warnings jsonb not null default '[]';         -- [{kind, file, message}]

-- runs.status holds RunStatus's values only (Catalog/CatalogStore.swift). Added when missing, so a
-- catalog made before it gets it (lens never wrote another value); checked first, so that a
-- catalog that has it takes no table lock (ALTER TABLE would).
do $$
begin
    if not exists (
        select from pg_constraint
        where conrelid = '{{catalog}}.runs'::regclass and conname = 'runs_status_known'
    ) then
        alter table {{catalog}}.runs add constraint runs_status_known
            check (status in ('running', 'succeeded', 'failed', 'refused', 'interrupted', 'skipped'));
    end if;
end
$$;

-- versions: every loaded version; exactly one is current.
create table if not exists {{catalog}}.versions (
    version        integer primary key,
    schema_name    text        not null unique,
    run_id         bigint      not null references {{catalog}}.runs (run_id),
    source         text        not null,
    source_sha256  text        not null,          -- content checksum of the drop's files
    fingerprint    text,                          -- drop content + data parameters + lens version
    drop_date      date,
    created_at     timestamptz not null default now(),
    is_current     boolean     not null default false
);

-- catalogs made before the fingerprint column existed get it here.
alter table {{catalog}}.versions add column if not exists fingerprint text;

-- datasets: every dataset a run produced: the raw drop files, the cleaned Parquet tables,
-- the feature tables and the loaded PostgreSQL tables.
create table if not exists {{catalog}}.datasets (
    dataset_id   bigserial primary key,
    name         text        not null,             -- e.g. ratings
    version      integer     not null,
    kind         text        not null check (kind in ('raw', 'cleaned', 'feature', 'loaded')),
    location     text        not null,             -- file path(s) or schema.table
    format       text        not null,             -- csv | parquet | postgres
    rows         bigint      not null,
    bytes        bigint,
    checksum     text,                             -- sha256 of the content (files) when known
    schema       jsonb       not null default '[]',
    run_id       bigint      not null references {{catalog}}.runs (run_id),
    created_at   timestamptz not null default now()
);
create index if not exists datasets_version_idx on {{catalog}}.datasets (version, name);

-- lineage: dataset -> the datasets it was made from.
create table if not exists {{catalog}}.lineage (
    dataset_id  bigint not null references {{catalog}}.datasets (dataset_id) on delete cascade,
    parent_id   bigint not null references {{catalog}}.datasets (dataset_id) on delete cascade,
    primary key (dataset_id, parent_id)
);

-- checks: data-quality checks a run made, passed or not.
create table if not exists {{catalog}}.checks (
    run_id    bigint  not null references {{catalog}}.runs (run_id),
    dataset   text    not null,
    name      text    not null,
    passed    boolean not null,
    observed  text,
    details   jsonb   not null default '{}',
    primary key (run_id, dataset, name)
);

-- appends: buffer batches appended to a version's ratings by `lens append`.
create table if not exists {{catalog}}.appends (
    version      integer     not null references {{catalog}}.versions (version),
    batch        smallint    not null,
    rows         bigint      not null,
    run_id       bigint      not null references {{catalog}}.runs (run_id),
    appended_at  timestamptz not null default now(),
    primary key (version, batch)
);
-- appends made with `lens append --batch N --out-of-order` while an earlier batch was held back
-- (added after the table: catalogs made before it get the column, false for their rows).
alter table {{catalog}}.appends add column if not exists out_of_order boolean not null default false;

-- versions whose schema `lens catalog prune` dropped keep their catalog rows, marked here.
alter table {{catalog}}.versions add column if not exists dropped_at timestamptz;

-- The catalog's documentation, one COMMENT per table and column (the source docs/tables.md is
-- rendered from: RelationDocs.catalogTables reads these statements, one per line).
comment on table {{catalog}}.runs is 'one row per lens run, load, append or prune, whatever its outcome';
comment on column {{catalog}}.runs.run_id is 'run number, in start order';
comment on column {{catalog}}.runs.command is 'run | load | append | prune | check';
comment on column {{catalog}}.runs.pipeline_file is 'the pipeline TOML the run used, if any';
comment on column {{catalog}}.runs.pipeline_sha256 is 'sha256 of that file';
comment on column {{catalog}}.runs.lens_version is 'version of lens that ran';
comment on column {{catalog}}.runs.source is 'the drop path (or Parquet folder) it read';
comment on column {{catalog}}.runs.source_sha256 is 'fingerprint of the drop''s files';
comment on column {{catalog}}.runs.started_at is 'when it started';
comment on column {{catalog}}.runs.finished_at is 'when it ended; null while running (or killed)';
comment on column {{catalog}}.runs.status is 'running | succeeded | failed | refused (a publish guard) | interrupted | skipped';
comment on column {{catalog}}.runs.version is 'the version it produced, if any';
comment on column {{catalog}}.runs.stage_seconds is 'seconds per stage (json)';
comment on column {{catalog}}.runs.row_counts is 'rows per table (json)';
comment on column {{catalog}}.runs.reconciliation is 'per input file: rows read, kept, rejected by reason (json)';
comment on column {{catalog}}.runs.quarantine_counts is 'quarantined rows per reason (json)';
comment on column {{catalog}}.runs.error is 'what went wrong, for a failed or refused run';
comment on column {{catalog}}.runs.guard_overrides is 'flags that published past a guard: accept_rejects, allow_shrink, allow_empty';
comment on column {{catalog}}.runs.warnings is 'what the user should know although nothing failed: [{kind, file, message}]';
comment on table {{catalog}}.versions is 'every loaded version; exactly one is current';
comment on column {{catalog}}.versions.version is '1, 2, ... in load order';
comment on column {{catalog}}.versions.schema_name is 'its schema, lens_vN';
comment on column {{catalog}}.versions.run_id is 'the run that loaded it';
comment on column {{catalog}}.versions.source is 'the drop path (or Parquet folder) it was loaded from';
comment on column {{catalog}}.versions.source_sha256 is 'content checksum of the drop''s files';
comment on column {{catalog}}.versions.fingerprint is 'drop content + data parameters + lens version';
comment on column {{catalog}}.versions.drop_date is 'the date of the MovieLens drop';
comment on column {{catalog}}.versions.created_at is 'when its load committed';
comment on column {{catalog}}.versions.is_current is 'true for the version movielens shows';
comment on column {{catalog}}.versions.dropped_at is 'when lens catalog prune dropped its schema; null while it exists';
comment on table {{catalog}}.datasets is 'every dataset a run produced: raw drop files, cleaned Parquet tables, feature tables, loaded PostgreSQL tables';
comment on column {{catalog}}.datasets.dataset_id is 'dataset number';
comment on column {{catalog}}.datasets.name is 'e.g. ratings, ratings.csv';
comment on column {{catalog}}.datasets.version is 'the version it belongs to';
comment on column {{catalog}}.datasets.kind is 'raw | cleaned | feature | loaded';
comment on column {{catalog}}.datasets.location is 'file path(s) or schema.table';
comment on column {{catalog}}.datasets.format is 'csv | parquet | postgres';
comment on column {{catalog}}.datasets.rows is 'rows it holds';
comment on column {{catalog}}.datasets.bytes is 'bytes on disk, when known';
comment on column {{catalog}}.datasets.checksum is 'sha256 of the content (files), when known';
comment on column {{catalog}}.datasets.schema is 'its columns and types (json)';
comment on column {{catalog}}.datasets.run_id is 'the run that produced it';
comment on column {{catalog}}.datasets.created_at is 'when it was recorded';
comment on table {{catalog}}.lineage is 'dataset -> the datasets it was made from';
comment on column {{catalog}}.lineage.dataset_id is 'the dataset';
comment on column {{catalog}}.lineage.parent_id is 'a dataset it was made from';
comment on table {{catalog}}.checks is 'data-quality checks a run made, passed or not';
comment on column {{catalog}}.checks.run_id is 'the run that made it';
comment on column {{catalog}}.checks.dataset is 'the table the check is about';
comment on column {{catalog}}.checks.name is 'e.g. ratings_in_range';
comment on column {{catalog}}.checks.passed is 'true when no row violated it';
comment on column {{catalog}}.checks.observed is 'what was seen, e.g. 0 violating rows';
comment on column {{catalog}}.checks.details is 'more about what was seen (json)';
comment on table {{catalog}}.appends is 'buffer batches appended to a version''s ratings by lens append';
comment on column {{catalog}}.appends.version is 'the version appended to';
comment on column {{catalog}}.appends.batch is 'the buffer batch';
comment on column {{catalog}}.appends.rows is 'ratings it added';
comment on column {{catalog}}.appends.run_id is 'the run that appended it';
comment on column {{catalog}}.appends.appended_at is 'when';
comment on column {{catalog}}.appends.out_of_order is 'true when appended with --out-of-order while an earlier batch was held back';

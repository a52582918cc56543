-- catalog_schema: the lens catalog in schema {{catalog}}. Idempotent: run before every load.
-- docs/catalog.md documents every table and shows the queries analysts ask of it.
create schema if not exists {{catalog}};

-- runs: one row per `lens run` / `lens load` / `lens append`, whatever its outcome.
create table if not exists {{catalog}}.runs (
    run_id            bigserial primary key,
    command           text        not null,          -- run | load | append
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

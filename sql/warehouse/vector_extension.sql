-- vector_extension: what the server offers of pgvector, for embedding_vector and its HNSW index
-- (VectorSupport.swift decides). One row: the version installed in this database and its schema
-- (null when not installed), the version `create extension vector` would install (null when the
-- server has no pgvector).
select
    (select e.extversion from pg_catalog.pg_extension as e where e.extname = 'vector') as installed_version,
    (select n.nspname from pg_catalog.pg_extension as e
        join pg_catalog.pg_namespace as n on n.oid = e.extnamespace
        where e.extname = 'vector') as installed_schema,
    (select a.default_version from pg_catalog.pg_available_extensions as a where a.name = 'vector') as available_version;

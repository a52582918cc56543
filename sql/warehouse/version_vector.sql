-- version_vector: whether version schema $1's movie_embeddings has embedding_vector, i.e. whether
-- it was loaded with pgvector: one row with pgvector's schema and the column's dimension, or none.
-- The analyst layer publishes movies_like's HNSW variant (sql/views/pgvector) when it has.
select tn.nspname as vector_schema, a.atttypmod as dimensions
from pg_catalog.pg_attribute as a
join pg_catalog.pg_class as c on c.oid = a.attrelid
join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
join pg_catalog.pg_type as t on t.oid = a.atttypid
join pg_catalog.pg_namespace as tn on tn.oid = t.typnamespace
where n.nspname = $1 and c.relname = 'movie_embeddings' and a.attname = 'embedding_vector'
  and t.typname = 'vector' and not a.attisdropped;

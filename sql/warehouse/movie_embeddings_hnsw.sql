-- movie_embeddings_hnsw: the HNSW index over embedding_vector by cosine distance (`<=>`), which
-- movies_like's `order by embedding_vector <=> target limit k` reads instead of scoring every
-- movie. {{vector}} is pgvector's schema. Default build parameters (m = 16, ef_construction = 64).
create index movie_embeddings_vector_idx on {{schema}}.movie_embeddings
    using hnsw (embedding_vector {{vector}}.vector_cosine_ops);

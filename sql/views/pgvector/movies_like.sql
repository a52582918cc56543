-- movies_like(movie_id integer, k integer default 10), on a server with pgvector: replaces the
-- exact movies_like of sql/views/movies_like.sql when the version's movie_embeddings has
-- embedding_vector (AnalystLayer runs this folder after sql/views). Same rows and columns:
-- 1. the k nearest movies by cosine distance from the HNSW index over embedding_vector:
--    `order by embedding_vector <=> (seed) limit k` is what the index answers;
-- 2. ranked as movies_like_exact ranks: by cosine_similarity of their real[] embeddings (double
--    precision, so the similarity values are the exact path's), ties to the lower movie_id.
-- HNSW is approximate: it keeps hnsw.ef_search candidates, and returns at most that many. For
-- the call, ef_search is raised to k + 1 when the session's (pgvector's default: 40) is lower,
-- and put back after; a session may set it higher for a closer answer (`set hnsw.ef_search =
-- 200`). Past pgvector's maximum (1000) the exact scan answers. VectorSearchTests holds the two
-- paths to the same rows (docs/analysts.md, "Similar movies").
create or replace function {{current}}.movies_like(movie_id integer, k integer default 10)
returns setof {{current}}.similar_movie
language plpgsql
stable
as $$
#variable_conflict use_column
declare
    -- null until pgvector is loaded in this session; 40 is its default
    session_ef_search text := coalesce(pg_catalog.current_setting('hnsw.ef_search', true), '40');
begin
    if $2 + 1 > 1000 then
        return query select * from {{current}}.movies_like_exact($1, $2);
        return;
    end if;
    perform pg_catalog.set_config('hnsw.ef_search', greatest($2 + 1, session_ef_search::integer)::text, true);
    return query
    with

    candidates as materialized (
        select e.movie_id, e.embedding
        from {{current}}.movie_embeddings as e
        where e.movie_id <> $1
        order by e.embedding_vector operator({{vector}}.<=>) (
            select s.embedding_vector from {{current}}.movie_embeddings as s where s.movie_id = $1
        )
        limit greatest($2, 0)
    ),

    seed as (
        select e.embedding
        from {{current}}.movie_embeddings as e
        where e.movie_id = $1
    ),

    nearest as (
        select
            (row_number() over (order by s.similarity desc nulls last, s.movie_id))::integer as rank,
            s.movie_id,
            s.similarity
        from (
            select c.movie_id, {{current}}.cosine_similarity(c.embedding, seed.embedding) as similarity
            from candidates as c
            cross join seed
        ) as s
    )

    select n.rank, m.movie_id, m.title, m.year, m.genres, n.similarity
    from nearest as n
    join {{current}}.movies as m on m.movie_id = n.movie_id
    order by n.rank;
    -- RETURN QUERY has run the query: the session's value again (an error rolls it back anyway)
    perform pg_catalog.set_config('hnsw.ef_search', session_ef_search, true);
end
$$;
comment on function {{current}}.movies_like(integer, integer) is
    'the k movies nearest to a movie by cosine similarity of genome embeddings (HNSW index over embedding_vector)';

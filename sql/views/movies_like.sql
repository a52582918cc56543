-- movies_like(movie_id integer, k integer default 10): the k movies nearest to movie_id by
-- cosine similarity of their genome embeddings (movie_embeddings.embedding, the PCA of the tag
-- genome). The movie itself is left out; ties go to the lower movie_id. Empty when movie_id has
-- no embedding (the drop has no genome, or the movie is not in it).
-- movies_like_exact(movie_id, k): the same, always by scoring every movie (the exact answer).
-- movies_like is movies_like_exact here; on a server with pgvector, sql/views/pgvector/
-- movies_like.sql replaces it with a search of the HNSW index over embedding_vector, which
-- returns the same rows and columns (docs/analysts.md, "Similar movies").
-- returns setof similar_movie:
--   rank        1 = most similar
--   movie_id, title, year, genres   the similar movie
--   similarity  cosine similarity in [-1, 1]
create type {{current}}.similar_movie as (
    rank        integer,
    movie_id    integer,
    title       text,
    year        smallint,
    genres      text[],
    similarity  double precision
);

create function {{current}}.movies_like_exact(movie_id integer, k integer default 10)
returns setof {{current}}.similar_movie
language sql
stable parallel safe
as $$
    with

    seed as (
        select e.embedding
        from {{current}}.movie_embeddings as e
        where e.movie_id = $1
    ),

    scored as (
        select
            e.movie_id,
            {{current}}.cosine_similarity(e.embedding, seed.embedding) as similarity
        from {{current}}.movie_embeddings as e
        cross join seed
        where e.movie_id <> $1
    ),

    nearest as (
        select
            (row_number() over (order by s.similarity desc nulls last, s.movie_id))::integer as rank,
            s.movie_id,
            s.similarity
        from scored as s
        order by s.similarity desc nulls last, s.movie_id
        limit greatest($2, 0)
    )

    select n.rank, m.movie_id, m.title, m.year, m.genres, n.similarity
    from nearest as n
    join {{current}}.movies as m on m.movie_id = n.movie_id
    order by n.rank
$$;
comment on function {{current}}.movies_like_exact(integer, integer) is
    'the k movies nearest to a movie by cosine similarity of genome embeddings, scoring every movie (exact)';

create function {{current}}.movies_like(movie_id integer, k integer default 10)
returns setof {{current}}.similar_movie
language sql
stable parallel safe
as $$
    select * from {{current}}.movies_like_exact($1, $2)
$$;
comment on function {{current}}.movies_like(integer, integer) is
    'the k movies nearest to a movie by cosine similarity of genome embeddings';

-- cosine_similarity(a real[], b real[]): the cosine of the angle between two vectors of the
-- same length, computed in double precision: sum(a_i b_i) / (|a| |b|), in [-1, 1].
-- Null when either is null, the lengths differ, or either vector is all zeros.
-- (pgvector is not assumed; movies_like uses this over movie_embeddings.)
create function {{current}}.cosine_similarity(a real[], b real[])
returns double precision
language sql
immutable strict parallel safe
as $$
    select
        case when cardinality(a) = cardinality(b) then
            sum(x::double precision * y) / nullif(sqrt(sum(x::double precision * x)) * sqrt(sum(y::double precision * y)), 0)
        end
    from unnest(a, b) as u (x, y)
$$;
comment on function {{current}}.cosine_similarity(real[], real[]) is
    'cosine similarity of two real[] of equal length (double precision); null for mismatched lengths or zero vectors';

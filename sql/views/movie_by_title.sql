-- movie_by_title(title text): the movie_id a title most likely means, or null.
-- Tried in order, case-insensitively: the title as stored ("Matrix, The (1999)"), the normalized
-- title ("The Matrix"), a normalized title starting with the text, a title containing it.
-- Among equally good matches: a movie with a genome embedding first, then the one with the
-- most train ratings, then the lowest movie_id.
create function {{current}}.movie_by_title(title text)
returns integer
language sql
stable parallel safe
as $$
    with

    candidates as (
        select
            m.movie_id,
            case
                when lower(m.title) = lower(btrim($1)) then 1
                when lower(m.title_normalized) = lower(btrim($1)) then 2
                when starts_with(lower(m.title_normalized), lower(btrim($1))) then 3
                when strpos(lower(m.title), lower(btrim($1))) > 0 then 4
            end as quality
        from {{current}}.movies as m
        where btrim($1) <> ''
    )

    select c.movie_id
    from candidates as c
    left join {{current}}.movie_embeddings as e on e.movie_id = c.movie_id
    left join {{current}}.movie_stats as s on s.movie_id = c.movie_id
    where c.quality is not null
    order by c.quality, (e.movie_id is null), coalesce(s.n_ratings, 0) desc, c.movie_id
    limit 1
$$;
comment on function {{current}}.movie_by_title(text) is
    'the movie_id a title most likely means (exact, normalized, prefix, then substring match), or null';

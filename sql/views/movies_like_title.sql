-- movies_like_title(title text, k integer default 10): movies_like for the movie a title means
-- (resolved by movie_by_title: exact title, normalized title, prefix, then substring).
-- Returns the same rows as movies_like; empty when no title matches.
create function {{current}}.movies_like_title(title text, k integer default 10)
returns setof {{current}}.similar_movie
language sql
stable parallel safe
as $$
    select *
    from {{current}}.movies_like({{current}}.movie_by_title($1), $2)
$$;
comment on function {{current}}.movies_like_title(text, integer) is
    'movies_like for the movie a title most likely means (see movie_by_title)';

-- ratings_movie_exists: every rating (held-back ones too) and every tag is of a movie in movies
-- (orphans were quarantined, not loaded).
-- dataset: ratings
-- returns the orphan rows: source (ratings | ratings_buffer | tags), user_id, movie_id
select 'ratings' as source, r.user_id, r.movie_id
from {{current}}.ratings as r
where not exists (select from {{current}}.movies as m where m.movie_id = r.movie_id)
union all
select 'ratings_buffer' as source, b.user_id, b.movie_id
from {{current}}.ratings_buffer as b
where not exists (select from {{current}}.movies as m where m.movie_id = b.movie_id)
    and not exists (select from {{current}}.ratings as r where r.user_id = b.user_id and r.movie_id = b.movie_id)
union all
select 'tags' as source, t.user_id, t.movie_id
from {{current}}.tags as t
where not exists (select from {{current}}.movies as m where m.movie_id = t.movie_id)
order by source, user_id, movie_id

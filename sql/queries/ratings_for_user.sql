-- ratings_for_user: one user's ratings, newest first, with the movie and the split each fell in.
-- param: user_id integer 1
-- param: limit integer 20
-- columns: rated_at, movie_id, title, rating, split, batch
select
    r.rated_at,
    r.movie_id,
    m.title,
    r.rating,
    r.split,
    r.batch
from {{current}}.ratings as r
join {{current}}.movies as m on m.movie_id = r.movie_id
where r.user_id = $1::integer
order by r.rated_at desc, r.movie_id
limit $2::integer;

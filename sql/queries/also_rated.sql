-- also_rated: users who rated this movie in train also rated...: the association rules from it
-- (movie_pair_lift: pairs co-rated by at least 5% of train users), strongest confidence first.
-- param: movie_id integer 1
-- param: min_lift numeric 1.0
-- param: limit integer 10
-- columns: movie_id, title, n_users, support, confidence, lift
select
    p.consequent_id as movie_id,
    p.consequent_title as title,
    p.n_users,
    round(p.support::numeric, 4) as support,
    round(p.confidence::numeric, 4) as confidence,
    round(p.lift::numeric, 3) as lift
from {{current}}.movie_pair_lift as p
where p.antecedent_id = $1::integer
    and p.lift >= $2::numeric
order by p.confidence desc, p.consequent_id
limit $3::integer;

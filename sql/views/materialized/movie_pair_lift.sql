-- movie_pair_lift: association rules "users who rated A also rated B" over the train split.
-- A basket is one train user's set of rated movies. For movies A and B:
--   support(A)        = baskets holding A / all baskets
--   support(A, B)     = baskets holding both / all baskets
--   confidence(A->B)  = support(A, B) / support(A)
--   lift(A->B)        = support(A, B) / (support(A) support(B)); above 1 = together more than by chance
-- Only pairs with support(A, B) >= 0.05 (co-rated by at least 5% of train users) are kept.
-- Cost: by the Apriori property a movie of a frequent pair is frequent itself, so the baskets
-- are first cut to movies with support >= 0.05; the self-join then makes sum(n_u^2)/2 rows
-- for n_u = a user's frequent movies (ml-latest-small: 814 movies, 4.5M rows, seconds;
-- ml-25m: a few hundred movies, some 10^8 rows, about a minute). That is why the result is
-- materialised once per version as table {{schema}}.movie_pair_lift (created by this file when
-- missing, at publish time inside the loading transaction); the view adds the titles.
-- columns (one row per direction, so A->B and B->A both appear):
--   antecedent_id, antecedent_title   A
--   consequent_id, consequent_title   B
--   n_users               train users who rated both
--   support               support(A, B)
--   confidence            confidence(A->B)
--   lift                  lift(A->B) (the same both ways)
--   antecedent_support, consequent_support   support(A), support(B)

set local work_mem = '256MB';

create table if not exists {{schema}}.movie_pair_lift as

with

baskets as (
    select r.user_id, r.movie_id
    from {{schema}}.ratings as r
    where r.split = 'train'
),

n_baskets as (
    select count(distinct user_id)::double precision as n from baskets
),

threshold as (
    -- the smallest basket count that reaches 5% support
    select greatest(ceil(0.05 * n), 1)::bigint as min_users from n_baskets
),

frequent_movies as (
    select b.movie_id, count(*) as n_users
    from baskets as b
    group by b.movie_id
    having count(*) >= (select min_users from threshold)
),

frequent_baskets as (
    select b.user_id, b.movie_id
    from baskets as b
    join frequent_movies as f on f.movie_id = b.movie_id
),

pairs as (
    select
        a.movie_id as movie_a,
        b.movie_id as movie_b,
        count(*) as n_users
    from frequent_baskets as a
    join frequent_baskets as b on b.user_id = a.user_id and a.movie_id < b.movie_id
    group by a.movie_id, b.movie_id
    having count(*) >= (select min_users from threshold)
),

directed as (
    select movie_a as antecedent_id, movie_b as consequent_id, n_users from pairs
    union all
    select movie_b as antecedent_id, movie_a as consequent_id, n_users from pairs
),

final as (
    select
        d.antecedent_id,
        d.consequent_id,
        d.n_users::integer as n_users,
        d.n_users / nb.n as support,
        d.n_users::double precision / fa.n_users as confidence,
        d.n_users * nb.n / (fa.n_users::double precision * fc.n_users) as lift,
        fa.n_users / nb.n as antecedent_support,
        fc.n_users / nb.n as consequent_support
    from directed as d
    join frequent_movies as fa on fa.movie_id = d.antecedent_id
    join frequent_movies as fc on fc.movie_id = d.consequent_id
    cross join n_baskets as nb
)

select * from final;

create unique index if not exists movie_pair_lift_pkey
    on {{schema}}.movie_pair_lift (antecedent_id, consequent_id);
comment on table {{schema}}.movie_pair_lift is
    'association rules over train baskets (one per user), pairs with support >= 0.05; see sql/views/movie_pair_lift.sql';
analyze {{schema}}.movie_pair_lift;

create view {{current}}.movie_pair_lift as

with

rules as (
    select * from {{schema}}.movie_pair_lift
),

final as (
    select
        rules.antecedent_id,
        ma.title as antecedent_title,
        rules.consequent_id,
        mc.title as consequent_title,
        rules.n_users,
        rules.support,
        rules.confidence,
        rules.lift,
        rules.antecedent_support,
        rules.consequent_support
    from rules
    join {{current}}.movies as ma on ma.movie_id = rules.antecedent_id
    join {{current}}.movies as mc on mc.movie_id = rules.consequent_id
)

select * from final;

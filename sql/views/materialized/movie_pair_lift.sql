-- movie_pair_lift: association rules "users who rated A also rated B" over the train split.
-- A basket is one train user's set of rated movies. For movies A and B:
--   support(A)        = baskets holding A / all baskets
--   support(A, B)     = baskets holding both / all baskets
--   confidence(A->B)  = support(A, B) / support(A)
--   lift(A->B)        = support(A, B) / (support(A) support(B)); above 1 = together more than by chance
-- Only pairs with support(A, B) >= 0.05 are kept (co-rated by at least 5% of train users).
--
-- How it stays feasible on ml-25m: by the Apriori property both movies of a frequent pair are
-- frequent themselves, so only the F movies with support >= 0.05 are considered (their train
-- counts are movie_stats.n_ratings; ml-latest-small: 814 of 7,056). Each becomes a bitmap of
-- the train users who rated it (U bits), and a pair's count is bit_count(a & b): F^2/2 bitmap
-- ANDs of U/8 bytes instead of a self-join of sum(n_u^2)/2 rows (ml-latest-small: 0.7 s
-- against 8 s; a synthetic 16M-rating train with 120k users: about 20 s, most of it one scan of
-- ratings). The work grows with F^2 U, so a lower threshold costs quadratically more.
-- It is materialised once per version, as the table {{schema}}.movie_pair_lift (built here when
-- missing, at publish time inside the loading transaction); the view below adds the titles.
--
-- columns (one row per direction, so A->B and B->A both appear):
--   antecedent_id, antecedent_title   A
--   consequent_id, consequent_title   B
--   n_users               train users who rated both
--   support               support(A, B)
--   confidence            confidence(A->B)
--   lift                  lift(A->B) (the same both ways)
--   antecedent_support, consequent_support   support(A), support(B)
do $$
declare
    min_support constant double precision := 0.05;
    n_baskets integer;
    min_users integer;
begin
    if to_regclass('{{schema}}.movie_pair_lift') is not null then
        return;  -- built by an earlier publish of this version
    end if;
    set local work_mem = '256MB';

    -- train users, numbered 0..U-1 (their bit in a bitmap); user_stats holds exactly them
    create temp table lens_pair_users on commit drop as
    select s.user_id, (row_number() over (order by s.user_id) - 1)::integer as pos
    from {{schema}}.user_stats as s;
    select count(*) into n_baskets from lens_pair_users;
    min_users := greatest(ceil(min_support * n_baskets), 1);

    -- the frequent movies (train counts from movie_stats)
    create temp table lens_pair_movies on commit drop as
    select s.movie_id, s.n_ratings as n_users
    from {{schema}}.movie_stats as s
    where s.n_ratings >= min_users;
    analyze lens_pair_users;
    analyze lens_pair_movies;

    create table {{schema}}.movie_pair_lift as

    with

    positions as (
        select
            r.movie_id,
            u.pos,
            lag(u.pos, 1, -1) over (partition by r.movie_id order by u.pos) as previous_pos
        from {{schema}}.ratings as r
        join lens_pair_movies as f on f.movie_id = r.movie_id
        join lens_pair_users as u on u.user_id = r.user_id
        where r.split = 'train'
    ),

    bitmaps as (
        -- '0' for every user between two raters, '1' for each rater, padded to U bits
        select
            p.movie_id,
            (string_agg(repeat('0', p.pos - p.previous_pos - 1) || '1', '' order by p.pos)
                || repeat('0', n_baskets - max(p.pos) - 1))::varbit as raters
        from positions as p
        group by p.movie_id
    ),

    pairs as (
        select
            a.movie_id as movie_a,
            b.movie_id as movie_b,
            bit_count(a.raters & b.raters) as n_users
        from bitmaps as a
        join bitmaps as b on a.movie_id < b.movie_id
    ),

    frequent_pairs as (
        select * from pairs where n_users >= min_users
    ),

    directed as (
        select movie_a as antecedent_id, movie_b as consequent_id, n_users from frequent_pairs
        union all
        select movie_b as antecedent_id, movie_a as consequent_id, n_users from frequent_pairs
    ),

    final as (
        select
            d.antecedent_id,
            d.consequent_id,
            d.n_users::integer as n_users,
            d.n_users::double precision / n_baskets as support,
            d.n_users::double precision / fa.n_users as confidence,
            d.n_users::double precision * n_baskets / (fa.n_users::double precision * fc.n_users) as lift,
            fa.n_users::double precision / n_baskets as antecedent_support,
            fc.n_users::double precision / n_baskets as consequent_support
        from directed as d
        join lens_pair_movies as fa on fa.movie_id = d.antecedent_id
        join lens_pair_movies as fc on fc.movie_id = d.consequent_id
    )

    select * from final;

    alter table {{schema}}.movie_pair_lift add primary key (antecedent_id, consequent_id);
    execute format(
        'comment on table {{schema}}.movie_pair_lift is %L',
        format('association rules over %s train baskets (users): pairs co-rated by >= %s users (support >= %s); '
            || 'see sql/views/materialized/movie_pair_lift.sql', n_baskets, min_users, min_support)
    );
    drop table lens_pair_users;
    drop table lens_pair_movies;
end
$$;

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

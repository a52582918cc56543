-- movie_pair_lift_key: the key and description of {{schema}}.movie_pair_lift after its COPY; the
-- description says the same as the SQL build's (baskets = train users, in user_stats).
alter table {{schema}}.movie_pair_lift add primary key (antecedent_id, consequent_id);
do $$
declare
    min_support constant double precision := 0.05;
    n_baskets integer := (select count(*) from {{schema}}.user_stats);
    min_users integer := greatest(ceil(min_support * n_baskets), 1);
begin
    execute format(
        'comment on table {{schema}}.movie_pair_lift is %L',
        format('association rules over %s train baskets (users): pairs co-rated by >= %s users (support >= %s); '
            || 'computed by lens (Features/MoviePairLift.swift); definition in sql/views/materialized/movie_pair_lift.sql',
            n_baskets, min_users, min_support)
    );
end
$$;

-- movie_pair_lift_table: the association rules lens computed in its features stage
-- (Sources/LensCore/Features/MoviePairLift.swift), as the table {{schema}}.movie_pair_lift that
-- sql/views/materialized/movie_pair_lift.sql would otherwise build in SQL (same definition and
-- columns; that file skips the build when the table exists). Created inside the loading
-- transaction, filled by binary COPY, then keyed by movie_pair_lift_key.sql.
create table {{schema}}.movie_pair_lift (
    antecedent_id       integer          not null,  -- movie A
    consequent_id       integer          not null,  -- movie B
    n_users             integer          not null,  -- train users who rated both
    support             double precision not null,  -- support(A, B)
    confidence          double precision not null,  -- confidence(A->B)
    lift                double precision not null,  -- lift(A->B)
    antecedent_support  double precision not null,  -- support(A)
    consequent_support  double precision not null   -- support(B)
);

-- create_ratings_tables: the ratings tables of one loaded version, in its loading schema {{schema}}.
-- Created in their own transaction on their own connection, next to the one that loads every other
-- table (create_version_tables.sql), and filled by binary COPY FREEZE in it; keyed afterwards by
-- ratings_unique_index.sql, ratings_indexes.sql and ratings_keys.sql.

-- ratings: one row per (user, movie) after dedup, with its temporal split.
create table {{schema}}.ratings (
    user_id   integer     not null,
    movie_id  integer     not null,
    rating    real        not null,  -- 0.5 .. 5.0 in half stars (capped)
    rated_at  timestamptz not null,  -- capped to [1995-01-01, drop date + 1 day]
    split     text        not null,  -- train | test | buffer
    batch     smallint,              -- 1..N inside the buffer, null otherwise
    source_line integer   not null   -- line in ratings.csv (header = 1) of the row kept
);

-- ratings_buffer: buffer rows held back from `ratings` (warehouse.hold_back_buffer = true), waiting to
-- be appended one batch at a time by `lens append --batch N`; empty when the buffer is loaded at once.
create table {{schema}}.ratings_buffer (like {{schema}}.ratings);

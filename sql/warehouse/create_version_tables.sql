-- create_version_tables: the tables of one loaded version but the ratings (create_ratings_tables.sql),
-- in the version's loading schema {{schema}}. Created in the same transaction as their binary COPY
-- (so wal_level=minimal skips their WAL and COPY FREEZE writes them frozen), then keyed by
-- table_keys.sql in that transaction. Column names are snake_case; times are timestamptz (UTC).

-- movies: one row per movie id; genres as a text[] plus one boolean column per MovieLens genre.
create table {{schema}}.movies (
    movie_id          integer  not null,  -- MovieLens movieId
    title             text     not null,  -- as given, trimmed
    title_normalized  text     not null,  -- no year, trailing article moved to the front
    year              smallint,           -- from a trailing (YYYY); null when absent
    genres            text[]   not null,  -- empty for "(no genres listed)"
    action boolean not null, adventure boolean not null, animation boolean not null,
    children boolean not null, comedy boolean not null, crime boolean not null,
    documentary boolean not null, drama boolean not null, fantasy boolean not null,
    film_noir boolean not null, horror boolean not null, imax boolean not null,
    musical boolean not null, mystery boolean not null, romance boolean not null,
    sci_fi boolean not null, thriller boolean not null, war boolean not null,
    western boolean not null, no_genres boolean not null,
    source_line       integer  not null   -- line in movies.csv (header = 1), for lineage
);

-- links: external ids per movie; imdb_id keeps its leading zeros.
create table {{schema}}.links (
    movie_id  integer not null,
    imdb_id   text    not null,
    tmdb_id   integer,           -- null when the drop has none
    source_line integer not null -- line in links.csv
);

-- tags: free-text tags as users applied them.
create table {{schema}}.tags (
    user_id         integer     not null,
    movie_id        integer     not null,
    tag             text        not null,  -- trimmed
    tag_normalized  text        not null,  -- lower case
    tagged_at       timestamptz not null,
    source_line     integer     not null   -- line in tags.csv
);

-- genome_tags / genome_scores: the tag genome, when the drop has one.
create table {{schema}}.genome_tags (
    tag_id  integer not null,
    tag     text    not null
);
create table {{schema}}.genome_scores (
    movie_id   integer not null,
    tag_id     integer not null,
    relevance  real    not null  -- capped to [0, 1]
);

-- movie_embeddings: k principal components of the genome per movie.
create table {{schema}}.movie_embeddings (
    movie_id   integer not null,
    embedding  real[]  not null
);

-- genome_pca: per component, its explained variance (ratio) and loadings over the genome tags.
create table {{schema}}.genome_pca (
    component                 smallint         not null,  -- 1..k
    explained_variance        double precision not null,
    explained_variance_ratio  double precision not null,
    loadings                  real[]           not null   -- one per genome tag, by tag_id
);

-- movie_stats / user_stats: from the train split only.
create table {{schema}}.movie_stats (
    movie_id         integer          not null,
    n_ratings        integer          not null,
    mean_rating      double precision not null,
    first_rated_at   timestamptz      not null,
    last_rated_at    timestamptz      not null,
    weighted_rating  double precision not null  -- v/(v+m) R + m/(v+m) C, m = 0.90 quantile of counts
);
create table {{schema}}.user_stats (
    user_id               integer          not null,
    n_ratings             integer          not null,
    mean_rating           double precision not null,
    n_ratings_winsorized  double precision not null  -- min(n, 0.99 quantile of counts)
);

-- users: demographics, for the drops that have them (ml-100k u.user, ml-1m users.dat); else empty.
create table {{schema}}.users (
    user_id      integer  not null,
    gender       text     not null,  -- M | F
    age          smallint not null,  -- ml-100k: years; ml-1m: its README's age-group code
    occupation   text     not null,  -- ml-100k: a name; ml-1m: its README's occupation code
    zip_code     text     not null,
    source_line  integer  not null
);

-- quarantine: every rejected or orphan input row, with where it came from and why.
create table {{schema}}.quarantine (
    file    text   not null,
    line    bigint not null,
    raw     text   not null,
    reason  text   not null
);

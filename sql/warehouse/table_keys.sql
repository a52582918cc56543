-- table_keys: keys, foreign keys and indexes of every table of a loaded version but the ratings,
-- built after their COPY in the same transaction (one index build over the loaded data is far
-- cheaper than maintaining it row by row). The ratings get theirs on two connections in parallel
-- (ratings_unique_index.sql, ratings_indexes.sql), then ratings_keys.sql.
alter table {{schema}}.movies add primary key (movie_id);
alter table {{schema}}.links add primary key (movie_id);
alter table {{schema}}.links add foreign key (movie_id) references {{schema}}.movies (movie_id);
alter table {{schema}}.tags add foreign key (movie_id) references {{schema}}.movies (movie_id);
create index on {{schema}}.tags (movie_id);
alter table {{schema}}.genome_tags add primary key (tag_id);
alter table {{schema}}.genome_scores add primary key (movie_id, tag_id);
alter table {{schema}}.movie_embeddings add primary key (movie_id);
alter table {{schema}}.genome_pca add primary key (component);
alter table {{schema}}.movie_stats add primary key (movie_id);
alter table {{schema}}.user_stats add primary key (user_id);
alter table {{schema}}.users add primary key (user_id);

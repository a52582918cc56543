-- constraints: keys, foreign keys and indexes of a loaded version, built after the COPY
-- (one index build over sorted data is far cheaper than maintaining it row by row).
alter table {{schema}}.movies add primary key (movie_id);
alter table {{schema}}.links add primary key (movie_id);
alter table {{schema}}.links add foreign key (movie_id) references {{schema}}.movies (movie_id);
alter table {{schema}}.tags add foreign key (movie_id) references {{schema}}.movies (movie_id);
create index on {{schema}}.tags (movie_id);
alter table {{schema}}.ratings add primary key (user_id, movie_id);
alter table {{schema}}.ratings add foreign key (movie_id) references {{schema}}.movies (movie_id);
create index on {{schema}}.ratings (movie_id);
-- rows arrive in split order (train, test, buffer batches by time), so a BRIN index on batch (null
-- outside the buffer) finds a batch's blocks: one pass over the table where a btree on (split,
-- batch) was a 25M-row sort (ml-25m: 3.8 s against 30 s; on (split, batch) the text compares cost 7 s)
create index on {{schema}}.ratings using brin (batch);
alter table {{schema}}.ratings_buffer add primary key (user_id, movie_id);
alter table {{schema}}.ratings_buffer add foreign key (movie_id) references {{schema}}.movies (movie_id);
alter table {{schema}}.genome_tags add primary key (tag_id);
alter table {{schema}}.genome_scores add primary key (movie_id, tag_id);
alter table {{schema}}.movie_embeddings add primary key (movie_id);
alter table {{schema}}.genome_pca add primary key (component);
alter table {{schema}}.movie_stats add primary key (movie_id);
alter table {{schema}}.user_stats add primary key (user_id);
alter table {{schema}}.users add primary key (user_id);

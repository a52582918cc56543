-- publish_current: make version schema {{schema}} the one analysts see as {{current}}.
-- Runs inside the loading transaction: readers see the old views until COMMIT and the new ones
-- after it, never a mix. The analyst views of sql/views are created after this file.
drop schema if exists {{current}} cascade;
create schema {{current}};
comment on schema {{current}} is 'lens: the current MovieLens version ({{schema}}); views over its tables';
create view {{current}}.movies as select * from {{schema}}.movies;
create view {{current}}.links as select * from {{schema}}.links;
create view {{current}}.tags as select * from {{schema}}.tags;
create view {{current}}.ratings as select * from {{schema}}.ratings;
create view {{current}}.ratings_buffer as select * from {{schema}}.ratings_buffer;
create view {{current}}.genome_tags as select * from {{schema}}.genome_tags;
create view {{current}}.genome_scores as select * from {{schema}}.genome_scores;
create view {{current}}.movie_embeddings as select * from {{schema}}.movie_embeddings;
create view {{current}}.genome_pca as select * from {{schema}}.genome_pca;
create view {{current}}.movie_stats as select * from {{schema}}.movie_stats;
create view {{current}}.user_stats as select * from {{schema}}.user_stats;
create view {{current}}.users as select * from {{schema}}.users;
create view {{current}}.quarantine as select * from {{schema}}.quarantine;
-- the rollups the analyst views read (per part of the split; held-back batches included)
create view {{current}}.rollup_parts as select * from {{schema}}.rollup_parts;
create view {{current}}.rollup_ratings as select * from {{schema}}.rollup_ratings;
create view {{current}}.rollup_months as select * from {{schema}}.rollup_months;
create view {{current}}.rollup_month_users as select * from {{schema}}.rollup_month_users;
create view {{current}}.rollup_month_movies as select * from {{schema}}.rollup_month_movies;
create view {{current}}.rollup_movies as select * from {{schema}}.rollup_movies;
create view {{current}}.rollup_genre_years as select * from {{schema}}.rollup_genre_years;
create view {{current}}.rollup_genres as select * from {{schema}}.rollup_genres;
create view {{current}}.rollup_genre_pairs as select * from {{schema}}.rollup_genre_pairs;
create view {{current}}.rollup_users as select * from {{schema}}.rollup_users;
create view {{current}}.rollup_tags as select * from {{schema}}.rollup_tags;

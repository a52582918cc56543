-- analyze: planner statistics for the new version's other tables (analyze_ratings.sql does the
-- ratings), in the transaction that loaded them, before analysts query them.
analyze {{schema}}.movies;
analyze {{schema}}.links;
analyze {{schema}}.tags;
analyze {{schema}}.genome_tags;
analyze {{schema}}.genome_scores;
analyze {{schema}}.movie_embeddings;
analyze {{schema}}.genome_pca;
analyze {{schema}}.movie_stats;
analyze {{schema}}.user_stats;
analyze {{schema}}.users;
analyze {{schema}}.quarantine;

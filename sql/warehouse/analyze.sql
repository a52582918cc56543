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
analyze {{schema}}.rollup_parts;
analyze {{schema}}.rollup_ratings;
analyze {{schema}}.rollup_months;
analyze {{schema}}.rollup_month_users;
analyze {{schema}}.rollup_month_movies;
analyze {{schema}}.rollup_movies;
analyze {{schema}}.rollup_genre_years;
analyze {{schema}}.rollup_users;
analyze {{schema}}.rollup_tags;
analyze {{schema}}.rollup_genres;
analyze {{schema}}.rollup_genre_pairs;

-- analyze_ratings: planner statistics for the new version's ratings, after their keys.
analyze {{schema}}.ratings;
analyze {{schema}}.ratings_buffer;

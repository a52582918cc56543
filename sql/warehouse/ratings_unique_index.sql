-- ratings_unique_index: the index behind the ratings' primary key (user_id, movie_id), built on
-- one connection while ratings_indexes.sql builds the others on a second one (CREATE INDEX takes a
-- SHARE lock, which does not conflict with itself; ALTER TABLE ADD PRIMARY KEY would). It becomes
-- the primary key in ratings_keys.sql.
-- An index build sorts in memory: at 25M ratings 2GB keeps each sort off disk, with two builds at once.
set local maintenance_work_mem = '2GB';
create unique index ratings_pkey on {{schema}}.ratings (user_id, movie_id);

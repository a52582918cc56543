-- ratings_unique_index: the index behind the ratings' primary key (user_id, movie_id), built on
-- one connection while ratings_indexes.sql builds the others on a second one (CREATE INDEX takes a
-- SHARE lock, which does not conflict with itself; ALTER TABLE ADD PRIMARY KEY would). It becomes
-- the primary key in ratings_keys.sql.
-- An index build sorts in memory: at 25M ratings 2GB keeps each sort off disk, with two builds at once.
set local maintenance_work_mem = '2GB';
-- The rows arrive in (user_id, movie_id) order, so this sort finds its input sorted and is cheap
-- for one process; parallel workers would only take cores from the movie_id index being built
-- on the other connection at the same time (ml-25m: both done in 16.6 s without them here, 21.8 s with).
set local max_parallel_maintenance_workers = 0;
create unique index ratings_pkey on {{schema}}.ratings (user_id, movie_id);

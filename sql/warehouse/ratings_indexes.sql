-- ratings_indexes: the ratings' other indexes, on the second connection while the first builds
-- ratings_unique_index.sql.
-- An index build sorts in memory: at 25M ratings 2GB keeps each sort off disk, with two builds at once.
set local maintenance_work_mem = '2GB';
create index ratings_movie_id_idx on {{schema}}.ratings (movie_id);
-- the buffer's batches, for `lens append` and the drift queries: a partial index over the buffer
-- rows alone (batch is null outside it), a tenth of the table. Rows arrive in (user_id, movie_id)
-- order, so a BRIN index on batch would find every batch in every block.
create index ratings_batch_idx on {{schema}}.ratings (batch) where batch is not null;
alter table {{schema}}.ratings_buffer add primary key (user_id, movie_id);

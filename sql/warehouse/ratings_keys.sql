-- ratings_keys: once both connections have built the ratings' indexes, the unique index becomes
-- the primary key (no scan: the columns are already not null) and the foreign keys to movies are
-- validated.
alter table {{schema}}.ratings add constraint ratings_pkey primary key using index ratings_pkey;
alter table {{schema}}.ratings add foreign key (movie_id) references {{schema}}.movies (movie_id);
alter table {{schema}}.ratings_buffer add foreign key (movie_id) references {{schema}}.movies (movie_id);

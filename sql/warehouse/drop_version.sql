-- drop_version: removes a pruned version's schema and everything in it.
drop schema if exists {{schema}} cascade;

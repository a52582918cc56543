-- create_version_schema: the schema a new version is loaded into. It is committed before the
-- tables are loaded (two connections fill it in parallel), named <prefix><version>_loading, and
-- renamed to <prefix><version> by rename_loaded_schema.sql in the publishing transaction. The
-- `movielens` views never point at it before then; a killed load leaves it behind, and the next
-- load of that version number drops it first (drop_loading_schema.sql).
create schema {{schema}};
comment on schema {{schema}} is 'lens: a version being loaded; not published yet';

-- drop_loading_schema: removes what a failed or killed load of this version number left behind:
-- its loading schema, and a schema of the version's final name from before loads were staged.
-- Neither is in the catalog nor behind the `movielens` views (both change only when a load
-- publishes; the version number is the catalog's highest plus one).
drop schema if exists {{loading}} cascade;
drop schema if exists {{schema}} cascade;

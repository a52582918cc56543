-- rename_loaded_schema: the loading schema becomes the version's schema, inside the publishing
-- transaction (a catalog-only change: tables, indexes and constraints move with it).
alter schema {{loading}} rename to {{schema}};
comment on schema {{schema}} is 'lens: a loaded MovieLens version; see the catalog for its lineage';

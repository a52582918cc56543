-- version_schema: the schema of version $1, if it is still loaded.
select schema_name from {{catalog}}.versions where version = $1::integer and dropped_at is null;

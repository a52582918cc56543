-- schema_tables: the tables of schema $1.
select table_name from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE';

-- doctor_server: what `lens doctor` reports of the server: its version, the database and user,
-- whether the user may create schemas there (every load creates lens_vN), and the database's size.
select current_setting('server_version') as server_version,
       current_database() as database,
       current_user as usename,
       has_database_privilege(current_database(), 'CREATE') as can_create,
       pg_database_size(current_database()) as database_bytes;

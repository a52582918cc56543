-- analyst_role: the role analysts use, lens_analyst: it reads the current version's views in
-- {{current}} (granted by grant_current.sql after each publish) and nothing else: no writes, no
-- version schemas (lens_v1, ...), no {{catalog}} tables (a few catalog facts are exposed as
-- views in {{current}}: versions, check_results, drift_alerts), no objects in public.
-- Idempotent: creates the role when missing, then sets its login from two settings of the
-- calling transaction, which `lens roles setup` fills with bound parameters:
--   lens.analyst_login     'login' (may log in; password from lens.analyst_verifier if not
--                          empty, else none: pg_hba decides, e.g. peer/trust on a local socket)
--                          or 'nologin' (a group role: grant lens_analyst to alice)
--   lens.analyst_verifier  the password's SCRAM-SHA-256 verifier ('SCRAM-SHA-256$4096:...'),
--                          computed by the client (PQencryptPasswordConn), or empty. PostgreSQL
--                          stores a verifier as is, so the password itself never reaches the
--                          server, and no statement or server log can hold it.
do $$
declare
    wanted_login text := coalesce(nullif(current_setting('lens.analyst_login', true), ''), 'login');
    wanted_verifier text := nullif(current_setting('lens.analyst_verifier', true), '');
begin
    if not exists (select from pg_roles where rolname = 'lens_analyst') then
        create role lens_analyst nologin nosuperuser nocreatedb nocreaterole noinherit;
    end if;
    if wanted_login = 'login' then
        if wanted_verifier is not null then
            -- anything else is a clear-text password (PostgreSQL would hash it itself): refuse it
            if wanted_verifier not like 'SCRAM-SHA-256$%' then
                raise exception 'lens.analyst_verifier is not a SCRAM-SHA-256 verifier';
            end if;
            execute format('alter role lens_analyst login password %L', wanted_verifier);
        else
            alter role lens_analyst login password null;
        end if;
    else
        alter role lens_analyst nologin password null;
    end if;
    -- reads must not be slowed by accident: a statement that runs away is cancelled
    alter role lens_analyst set statement_timeout = '10min';
    -- the version schemas and the catalog are reached through the views only
    alter role lens_analyst set search_path = {{current}};
end
$$;

comment on role lens_analyst is 'lens: reads the current MovieLens version (schema {{current}}), nothing else';

-- nobody but owners creates objects in public (PostgreSQL 15 already defaults to this)
revoke create on schema public from public;
revoke all on schema public from lens_analyst;
revoke all on schema {{catalog}} from lens_analyst;
revoke all on all tables in schema {{catalog}} from lens_analyst;

-- grant_current: lets lens_analyst read the views and call the functions of {{current}}, which
-- every publish recreates (so its grants are gone). Run after each publish, inside the same
-- transaction; does nothing when the role does not exist (`lens roles setup` creates it).
do $$
begin
    if exists (select from pg_roles where rolname = 'lens_analyst') then
        grant usage on schema {{current}} to lens_analyst;
        grant select on all tables in schema {{current}} to lens_analyst;
        grant execute on all functions in schema {{current}} to lens_analyst;
        revoke create on schema {{current}} from lens_analyst;
    end if;
end
$$;

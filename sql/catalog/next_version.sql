-- next_version: the number the next loaded version gets.
select coalesce(max(version), 0) + 1 as version from {{catalog}}.versions;

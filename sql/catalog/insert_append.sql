-- insert_append: records that batch $2 was appended to version $1 ($3 rows, run $4).
insert into {{catalog}}.appends (version, batch, rows, run_id) values ($1::integer, $2::smallint, $3::bigint, $4::bigint);

-- insert_append: records that batch $2 was appended to version $1 ($3 rows, run $4); $5 is true
-- when it was appended while an earlier batch was still held back (`--out-of-order`).
insert into {{catalog}}.appends (version, batch, rows, run_id, out_of_order)
values ($1::integer, $2::smallint, $3::bigint, $4::bigint, $5::boolean);

-- find_append: when batch $2 was appended to version $1, if it was.
select rows, run_id, appended_at from {{catalog}}.appends where version = $1::integer and batch = $2::smallint;

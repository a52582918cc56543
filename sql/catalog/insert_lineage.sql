-- insert_lineage: dataset $1 was made from dataset $2.
insert into {{catalog}}.lineage (dataset_id, parent_id) values ($1::bigint, $2::bigint)
on conflict do nothing;

-- buffer_batches: rows held back per batch in the current version's ratings_buffer ({{schema}}).
select batch, count(*) as rows from {{schema}}.ratings_buffer group by batch order by batch;

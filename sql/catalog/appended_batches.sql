-- appended_batches: the buffer batches already appended to version $1, in batch order.
select batch from {{catalog}}.appends where version = $1::integer order by batch;

-- split_summary: the split timeline (epoch seconds for drawing).
select
    split,
    batch,
    n_ratings,
    extract(epoch from first_rated_at)::bigint as first_at,
    extract(epoch from last_rated_at)::bigint as last_at,
    held_back
from {{current}}.split_summary
order by seq

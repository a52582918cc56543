-- current_ratings_rows: the clean ratings of the current version (its cleaned Parquet dataset),
-- which the shrink guard compares a new drop with; no row without a current version.
select d.rows
from {{catalog}}.datasets as d
join {{catalog}}.versions as v on v.version = d.version
where v.is_current and d.kind = 'cleaned' and d.name = 'ratings';

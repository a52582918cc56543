-- tag_counts: how often each tag is used, tags compared in lower case (tag_normalized).
-- columns:
--   tag              the lower-case tag
--   n_uses           times it was applied (one row of tags each)
--   n_movies         distinct movies it was applied to
--   n_users          distinct users who applied it
--   first_tagged_at  earliest use
--   last_tagged_at   latest use
-- Reads rollup_tags, computed from the tags at load (`lens append` adds no tags).
create view {{current}}.tag_counts as

with

final as (
    select
        t.tag,
        t.n_uses,
        t.n_movies,
        t.n_users,
        t.first_tagged_at,
        t.last_tagged_at
    from {{current}}.rollup_tags as t
)

select * from final;

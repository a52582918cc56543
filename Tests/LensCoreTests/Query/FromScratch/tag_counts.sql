-- tag_counts: how often each tag is used, tags compared in lower case (tag_normalized).
-- columns:
--   tag              the lower-case tag
--   n_uses           times it was applied (one row of tags each)
--   n_movies         distinct movies it was applied to
--   n_users          distinct users who applied it
--   first_tagged_at  earliest use
--   last_tagged_at   latest use
create view {{current}}.tag_counts as

with

final as (
    select
        t.tag_normalized as tag,
        count(*) as n_uses,
        count(distinct t.movie_id) as n_movies,
        count(distinct t.user_id) as n_users,
        min(t.tagged_at) as first_tagged_at,
        max(t.tagged_at) as last_tagged_at
    from {{current}}.tags as t
    group by t.tag_normalized
)

select * from final;

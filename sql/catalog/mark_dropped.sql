-- mark_dropped: version $1's schema was dropped by `lens catalog prune`; its catalog rows stay.
update {{catalog}}.versions set dropped_at = now() where version = $1::integer;

-- publish_lock_timeout: the publishing transaction waits at most $1 (e.g. '200ms') for each lock,
-- so that analyst queries never queue behind it for longer (WarehouseLoader retries with backoff).
-- Local to the transaction: the connection's setting is back to normal after COMMIT or ROLLBACK.
select set_config('lock_timeout', $1, true);

import type { Pool } from 'pg';

/**
 * Makes a pool's broken connections harmless to the process, and returns it. A connection that
 * breaks (the server restarted, the postmaster was killed) emits 'error' on its client: the pool
 * listens on idle clients, but a checked-out client has no listener and the error is thrown as an
 * uncaught exception (the fault tier saw `capflow ingest` die of it when PostgreSQL was killed
 * mid-append). The query in flight rejects anyway, and a broken client leaves the pool on release.
 * (A type-only import of pg: the event store's index loads no database driver.)
 */
export function guardPostgresPool(pool: Pool): Pool {
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

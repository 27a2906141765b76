import { Client } from 'pg';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import type { StoreHarness } from './store-harness';

export const TEST_POSTGRES_URL = process.env.CAPFLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

let counter = 0;

/** A PostgreSQL store in a fresh schema of the test database, dropped on dispose. */
export function postgresHarness(): StoreHarness {
  counter += 1;
  const schema = `t_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
  const url = `${TEST_POSTGRES_URL}${TEST_POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const opened: PostgresEventStore[] = [];
  const raw = async (sql: string, values: unknown[] = []) => {
    const client = new Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      // as a superuser could: switch the append-only triggers off for this session
      await client.query("SET session_replication_role = 'replica'");
      await client.query(sql.replaceAll('{s}', `"${schema}"`), values);
    } finally {
      await client.end();
    }
  };
  return {
    async open(options = {}) {
      const store = await PostgresEventStore.open(url, options);
      opened.push(store);
      return store;
    },
    tamper: {
      changeDataByte: (position) => raw("UPDATE {s}.events SET data = replace(data, '0', '9') WHERE position = $1", [position]),
      changeOccurredKey: (position) =>
        raw("UPDATE {s}.events SET occurred_key = '1999-01-01T00:00:00.000000000Z' WHERE position = $1", [position]),
      deleteRow: (position) => raw('DELETE FROM {s}.events WHERE position = $1', [position]),
      insertForgedRowAfter: (position) =>
        raw(
          `INSERT INTO {s}.events SELECT position + 1, gen_random_uuid(), stream_id, stream_version + 1000, type, schema_version,
           occurred_at, occurred_key, recorded_at, source, data, metadata, hash FROM {s}.events WHERE position = $1`,
          [position],
        ),
      swapRows: (a, b) =>
        raw(
          `UPDATE {s}.events SET position = -1 WHERE position = ${Number(a)};
           UPDATE {s}.events SET position = ${Number(a)} WHERE position = ${Number(b)};
           UPDATE {s}.events SET position = ${Number(b)} WHERE position = -1;`,
        ),
      setSchemaVersion: (version) => raw("INSERT INTO {s}.schema_migrations (version, name) VALUES ($1, 'from the future')", [version]),
    },
    async dispose() {
      for (const store of opened) await store.close().catch(() => undefined);
      const client = new Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

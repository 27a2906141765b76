/**
 * A tampered row whose column holds a value of another type (issue 15, D3: `UPDATE events SET
 * event_id = 3 WHERE position = 3` with the triggers dropped). SQLite stores any type in any
 * column, so verify must name the position, not fail reading it; PostgreSQL's typed columns
 * refuse that UPDATE, and the nearest it allows (another uuid) is named the same way.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { isEventStoreError } from './event-store.errors';
import type { EventStore } from './event-store.port';
import { PostgresEventStore } from './postgres/postgres-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import { newEvent, TEST_POSTGRES_URL } from './testing';
import { verifyChain } from './verify-chain';

const seed = async (store: EventStore) => {
  for (let i = 0; i < 5; i++) await store.append(`s-${i % 2}`, [newEvent({ data: { n: String(i) } })]);
};

describe('SQLite: a column stored with another type', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'capflow-verify-types-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['event_id = 3', /event_id is a number/],
    ["event_id = 'abc'", /event_id is text/],
    ['event_id = randomblob(8)', /event_id is a blob, not 16 bytes/],
    ["stream_version = 'abc'", /stream_version is text/],
    ['schema_version = 1.5', /schema_version is a number, not an integer/],
    ['data = CAST(data AS BLOB)', /data is a blob/], // the same bytes, so the hash alone would not see it
  ])('SET %s at position 3: verify names position 3, and reading it is corrupt_event', async (assignment, detail) => {
    const path = join(dir, 'capflow.db');
    const store = SqliteEventStore.open(path);
    await seed(store);
    await store.close();
    const db = new Database(path);
    db.exec('DROP TRIGGER events_no_update');
    db.exec(`UPDATE events SET ${assignment} WHERE position = 3`);
    db.close();
    const reopened = SqliteEventStore.open(path);
    try {
      const report = await verifyChain(reopened, { pageSize: 2 });
      expect(report).toMatchObject({ ok: false, checked: 2, problem: { position: 3, kind: 'modified', detail: expect.stringMatching(detail) } });
      const error = await reopened.readAll().catch((caught: unknown) => caught);
      expect(isEventStoreError(error) && error.code).toBe('corrupt_event');
    } finally {
      await reopened.close();
    }
  });
});

describe('PostgreSQL: the same tampering', () => {
  const schema = `t_verify_types_${process.pid}`;
  const raw = async (sql: string) => {
    const client = new Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      await client.query("SET session_replication_role = 'replica'"); // the triggers off, as a superuser could
      return await client.query(sql.replaceAll('{s}', `"${schema}"`));
    } finally {
      await client.end();
    }
  };
  afterAll(() => raw('DROP SCHEMA IF EXISTS {s} CASCADE'));

  it('is refused by the column types; another uuid instead is named at position 3', async () => {
    const store = await PostgresEventStore.open(`${TEST_POSTGRES_URL}?schema=${schema}`);
    try {
      await seed(store);
      await expect(raw('UPDATE {s}.events SET event_id = 3 WHERE position = 3')).rejects.toMatchObject({ code: '42804' }); // datatype_mismatch
      await expect(raw('UPDATE {s}.events SET event_id = NULL WHERE position = 3')).rejects.toMatchObject({ code: '23502' }); // not_null_violation
      await raw('UPDATE {s}.events SET event_id = gen_random_uuid() WHERE position = 3');
      expect((await verifyChain(store)).problem).toMatchObject({ position: 3, kind: 'modified' });
    } finally {
      await store.close();
    }
  });
});

import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import type { StoreHarness } from './store-harness';

/** A SQLite store in a fresh temporary file. */
export function sqliteHarness(): StoreHarness {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-store-'));
  const path = join(dir, 'capflow.db');
  const opened: SqliteEventStore[] = [];
  const raw = (work: (db: Database.Database) => void) => {
    const db = new Database(path);
    try {
      db.exec('DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;');
      work(db);
    } finally {
      db.close();
    }
  };
  return {
    async open(options = {}) {
      const store = SqliteEventStore.open(path, options);
      opened.push(store);
      return store;
    },
    tamper: {
      async changeDataByte(position) {
        raw((db) => db.prepare("UPDATE events SET data = replace(data, '0', '9') WHERE position = ?").run(position));
      },
      async changeOccurredKey(position) {
        raw((db) => db.prepare("UPDATE events SET occurred_key = '1999-01-01T00:00:00.000000000Z' WHERE position = ?").run(position));
      },
      async deleteRow(position) {
        raw((db) => db.prepare('DELETE FROM events WHERE position = ?').run(position));
      },
      async insertForgedRowAfter(position) {
        raw((db) =>
          db
            .prepare(
              `INSERT INTO events SELECT position + 1, randomblob(16), stream_id, stream_version + 1000, type, schema_version,
               occurred_at, occurred_key, recorded_at, source, data, metadata, hash FROM events WHERE position = ?`,
            )
            .run(position),
        );
      },
      async swapRows(a, b) {
        raw((db) => {
          db.exec('BEGIN');
          db.prepare(`UPDATE events SET position = -1 WHERE position = ?`).run(a);
          db.prepare(`UPDATE events SET position = ? WHERE position = ?`).run(a, b);
          db.prepare(`UPDATE events SET position = ? WHERE position = -1`).run(b);
          db.exec('COMMIT');
        });
      },
      async setSchemaVersion(version) {
        raw((db) => db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(version, 'from the future', 'now'));
      },
    },
    async dispose() {
      for (const store of opened) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

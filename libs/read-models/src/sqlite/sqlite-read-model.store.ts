import { instantKey } from '@capflow/contracts';
import type { Restatement, SnapshotMark } from '@capflow/projections';
import Database from 'better-sqlite3';
import type {
  FrameEvent,
  ProjectionName,
  ProjectionState,
  ProjectionWrite,
  ReadModelStore,
  RestatementFilter,
  StoredFrame,
  StoredRestatement,
  StoredSnapshot,
} from '../read-model.store';
import { bytesDigest } from '../digest';
import { READ_MODEL_MIGRATIONS } from '../read-model-migrations';

/** Read models in the embedded store's SQLite file, on a connection of their own. */
export class SqliteReadModelStore implements ReadModelStore {
  private constructor(private readonly db: Database.Database) {}

  static open(path: string): SqliteReadModelStore {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 30000');
    db.exec('CREATE TABLE IF NOT EXISTS rm_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    db.exec('BEGIN IMMEDIATE');
    try {
      const applied = (db.prepare('SELECT max(version) AS v FROM rm_schema_migrations').get() as { v: number | null }).v ?? 0;
      for (const migration of READ_MODEL_MIGRATIONS.filter((m) => m.version > applied)) {
        db.exec(migration.sql.replaceAll('{schema}.', ''));
        db.prepare('INSERT INTO rm_schema_migrations (version, name) VALUES (?, ?)').run(migration.version, migration.name);
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
      throw error;
    }
    return new SqliteReadModelStore(db);
  }

  async states(): Promise<Map<ProjectionName, ProjectionState>> {
    const rows = this.db
      .prepare<[], { projection: ProjectionName; generation: number; position: number; digest: string }>(
        'SELECT a.projection, a.generation, c.position, c.digest FROM rm_active a JOIN rm_checkpoints c ON c.projection = a.projection AND c.generation = a.generation',
      )
      .all();
    return new Map(rows.map((row) => [row.projection, { generation: row.generation, position: row.position, digest: row.digest }]));
  }

  async newGeneration(projection: ProjectionName): Promise<number> {
    return this.transaction(() => {
      const active = this.db.prepare<[string], { generation: number }>('SELECT generation FROM rm_active WHERE projection = ?').get(projection);
      const last = this.db.prepare<[string], { g: number | null }>('SELECT max(generation) AS g FROM rm_checkpoints WHERE projection = ?').get(projection);
      const generation = Math.max(active?.generation ?? 0, last?.g ?? 0) + 1;
      this.deleteGeneration(projection, generation);
      return generation;
    });
  }

  async flush(writes: readonly ProjectionWrite[]): Promise<void> {
    this.transaction(() => {
      const upsertDocument = this.db.prepare(
        'INSERT INTO rm_documents (projection, generation, name, body) VALUES (?, ?, ?, ?) ON CONFLICT (projection, generation, name) DO UPDATE SET body = excluded.body',
      );
      const insertRestatement = this.db.prepare('INSERT INTO rm_restatements (generation, position, occurred_key, body) VALUES (?, ?, ?, ?)');
      const checkpoint = this.db.prepare(
        'INSERT INTO rm_checkpoints (projection, generation, position, digest, updated_at) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (projection, generation) DO UPDATE SET position = excluded.position, digest = excluded.digest, updated_at = excluded.updated_at',
      );
      for (const write of writes) {
        for (const [name, body] of write.documents ?? []) upsertDocument.run(write.projection, write.generation, name, JSON.stringify(body));
        for (const restatement of write.restatements ?? []) {
          insertRestatement.run(write.generation, restatement.position, instantKey(restatement.restatedFrom), JSON.stringify(restatement));
        }
        checkpoint.run(write.projection, write.generation, write.position, write.digest, new Date().toISOString());
        const active = this.db.prepare<[string], { generation: number }>('SELECT generation FROM rm_active WHERE projection = ?').get(write.projection);
        if (!active) this.db.prepare('INSERT INTO rm_active (projection, generation) VALUES (?, ?)').run(write.projection, write.generation);
      }
    });
  }

  async activate(projection: ProjectionName, generation: number): Promise<void> {
    this.transaction(() => {
      this.db
        .prepare('INSERT INTO rm_active (projection, generation) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET generation = excluded.generation')
        .run(projection, generation);
      for (const { generation: other } of this.db
        .prepare<[string, number], { generation: number }>('SELECT generation FROM rm_checkpoints WHERE projection = ? AND generation <> ?')
        .all(projection, generation)) {
        this.deleteGeneration(projection, other);
      }
    });
  }

  async document(projection: ProjectionName, name: string): Promise<unknown | null> {
    const row = this.db
      .prepare<[string, string], { body: string }>(
        'SELECT d.body FROM rm_documents d JOIN rm_active a ON a.projection = d.projection AND a.generation = d.generation WHERE d.projection = ? AND d.name = ?',
      )
      .get(projection, name);
    return row ? JSON.parse(row.body) : null;
  }

  async documentTexts(projection: ProjectionName): Promise<Map<string, string>> {
    const rows = this.db
      .prepare<[string], { name: string; body: string }>(
        'SELECT d.name, d.body FROM rm_documents d JOIN rm_active a ON a.projection = d.projection AND a.generation = d.generation WHERE d.projection = ? ORDER BY d.name',
      )
      .all(projection);
    return new Map(rows.map((row) => [row.name, row.body]));
  }

  async restatements(filter: RestatementFilter = {}): Promise<Restatement[]> {
    const where = ["a.projection = 'restatements'"];
    const values: unknown[] = [];
    if (filter.toPosition !== undefined) {
      where.push('r.position <= ?');
      values.push(filter.toPosition);
    }
    if (filter.occurredTo !== undefined) {
      where.push('r.occurred_key <= ?');
      values.push(filter.occurredTo);
    }
    const rows = this.db
      .prepare<unknown[], { body: string }>(
        `SELECT r.body FROM rm_restatements r JOIN rm_active a ON a.generation = r.generation WHERE ${where.join(' AND ')} ORDER BY r.position LIMIT ?`,
      )
      .all(...values, filter.limit ?? -1);
    return rows.map((row) => JSON.parse(row.body) as Restatement);
  }

  async restatementRows(after: number, limit: number): Promise<StoredRestatement[]> {
    return this.db
      .prepare<[number, number], StoredRestatement>(
        "SELECT r.position, r.occurred_key AS occurredKey, r.body FROM rm_restatements r JOIN rm_active a ON a.generation = r.generation AND a.projection = 'restatements' " +
          'WHERE r.position > ? ORDER BY r.position LIMIT ?',
      )
      .all(after, limit);
  }

  async snapshotMarks(format: string): Promise<SnapshotMark[]> {
    return this.db
      .prepare<[string], { key: string; position: number; built_at: number; valid_from: number }>(
        'SELECT checkpoint_key AS key, checkpoint_position AS position, built_at, valid_from FROM rm_snapshots WHERE format = ?',
      )
      .all(format)
      .map((row) => ({ checkpoint: { key: row.key, position: row.position }, builtAt: row.built_at, validFrom: row.valid_from }));
  }

  async snapshot(format: string, mark: SnapshotMark): Promise<StoredSnapshot | null> {
    const row = this.db
      .prepare<[string, string, number, number], { body: Buffer; digest: string | null }>(
        'SELECT body, digest FROM rm_snapshots WHERE format = ? AND checkpoint_key = ? AND checkpoint_position = ? AND built_at = ?',
      )
      .get(format, mark.checkpoint.key, mark.checkpoint.position, mark.builtAt);
    return row ? { body: row.body, digest: row.digest } : null;
  }

  async addSnapshot(format: string, mark: SnapshotMark, body: Buffer): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO rm_snapshots (format, checkpoint_key, checkpoint_position, built_at, valid_from, body, digest) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(format, mark.checkpoint.key, mark.checkpoint.position, mark.builtAt, mark.validFrom, body, bytesDigest(body));
  }

  async snapshotFrame(format: string, builtAt: number): Promise<StoredFrame | null> {
    const row = this.db
      .prepare<[string, number], { body: string; digest: string | null }>('SELECT body, digest FROM rm_snapshot_frames WHERE format = ? AND built_at = ?')
      .get(format, builtAt);
    return row ? { text: row.body, digest: row.digest } : null;
  }

  async addSnapshotFrame(format: string, builtAt: number, events: readonly FrameEvent[]): Promise<void> {
    const text = JSON.stringify(events);
    this.db.prepare('INSERT OR REPLACE INTO rm_snapshot_frames (format, built_at, body, digest) VALUES (?, ?, ?, ?)').run(format, builtAt, text, bytesDigest(text));
  }

  async clearSnapshots(): Promise<void> {
    this.db.exec('DELETE FROM rm_snapshots; DELETE FROM rm_snapshot_frames');
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private deleteGeneration(projection: ProjectionName, generation: number): void {
    this.db.prepare('DELETE FROM rm_documents WHERE projection = ? AND generation = ?').run(projection, generation);
    this.db.prepare('DELETE FROM rm_checkpoints WHERE projection = ? AND generation = ?').run(projection, generation);
    if (projection === 'restatements') this.db.prepare('DELETE FROM rm_restatements WHERE generation = ?').run(generation);
  }

  private transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }
}

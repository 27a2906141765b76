import { instantKey } from '@capflow/contracts';
import { guardPostgresPool, parsePostgresUrl } from '@capflow/event-store';
import type { Restatement, SnapshotMark } from '@capflow/projections';
import { Pool, PoolClient } from 'pg';
import { READ_MODEL_MIGRATIONS } from '../read-model-migrations';
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

/** Serialises read-model migrations of concurrent processes ("rmig" in ASCII). */
const MIGRATION_LOCK = 0x726d6967;

/** Read models in the event store's PostgreSQL schema, on a pool of their own. */
export class PostgresReadModelStore implements ReadModelStore {
  private readonly s: string;

  private constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.s = `"${schema}"`;
  }

  static async open(url: string): Promise<PostgresReadModelStore> {
    const { connectionString, schema } = parsePostgresUrl(url);
    const pool = guardPostgresPool(new Pool({ connectionString, max: 2, connectionTimeoutMillis: 5000, application_name: 'capflow-read-models' }));
    const store = new PostgresReadModelStore(pool, schema);
    const client = await pool.connect().catch(async (error) => {
      await pool.end();
      throw error;
    });
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${store.s}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${store.s}.rm_schema_migrations (version integer PRIMARY KEY, name text NOT NULL)`);
      const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${store.s}.rm_schema_migrations`);
      for (const migration of READ_MODEL_MIGRATIONS.filter((m) => m.version > (rows[0].v ?? 0))) {
        await client.query('BEGIN');
        await client.query(migration.sql.replaceAll('{schema}', store.s));
        await client.query(`INSERT INTO ${store.s}.rm_schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
        await client.query('COMMIT');
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      await pool.end();
      throw error;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
    return store;
  }

  async states(): Promise<Map<ProjectionName, ProjectionState>> {
    const { rows } = await this.pool.query<{ projection: ProjectionName; generation: number; position: string; digest: string }>(
      `SELECT a.projection, a.generation, c.position, c.digest FROM ${this.s}.rm_active a ` +
        `JOIN ${this.s}.rm_checkpoints c ON c.projection = a.projection AND c.generation = a.generation`,
    );
    return new Map(rows.map((row) => [row.projection, { generation: row.generation, position: Number(row.position), digest: row.digest }]));
  }

  async newGeneration(projection: ProjectionName): Promise<number> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ g: number | null }>(
        `SELECT max(g) AS g FROM (SELECT generation AS g FROM ${this.s}.rm_active WHERE projection = $1 ` +
          `UNION ALL SELECT generation FROM ${this.s}.rm_checkpoints WHERE projection = $1) x`,
        [projection],
      );
      const generation = (rows[0].g ?? 0) + 1;
      await this.deleteGeneration(client, projection, generation);
      return generation;
    });
  }

  async flush(writes: readonly ProjectionWrite[]): Promise<void> {
    await this.transaction(async (client) => {
      for (const write of writes) {
        for (const [name, body] of write.documents ?? []) {
          await client.query(
            `INSERT INTO ${this.s}.rm_documents (projection, generation, name, body) VALUES ($1, $2, $3, $4) ` +
              'ON CONFLICT (projection, generation, name) DO UPDATE SET body = excluded.body',
            [write.projection, write.generation, name, JSON.stringify(body)],
          );
        }
        const restatements = write.restatements ?? [];
        if (restatements.length > 0) {
          await client.query(
            `INSERT INTO ${this.s}.rm_restatements (generation, position, occurred_key, body) ` +
              'SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[])',
            [
              write.generation,
              restatements.map((r) => r.position),
              restatements.map((r) => instantKey(r.restatedFrom)),
              restatements.map((r) => JSON.stringify(r)),
            ],
          );
        }
        await client.query(
          `INSERT INTO ${this.s}.rm_checkpoints (projection, generation, position, digest, updated_at) VALUES ($1, $2, $3, $4, $5) ` +
            'ON CONFLICT (projection, generation) DO UPDATE SET position = excluded.position, digest = excluded.digest, updated_at = excluded.updated_at',
          [write.projection, write.generation, write.position, write.digest, new Date().toISOString()],
        );
        await client.query(`INSERT INTO ${this.s}.rm_active (projection, generation) VALUES ($1, $2) ON CONFLICT (projection) DO NOTHING`, [
          write.projection,
          write.generation,
        ]);
      }
    });
  }

  async activate(projection: ProjectionName, generation: number): Promise<void> {
    await this.transaction(async (client) => {
      await client.query(
        `INSERT INTO ${this.s}.rm_active (projection, generation) VALUES ($1, $2) ON CONFLICT (projection) DO UPDATE SET generation = excluded.generation`,
        [projection, generation],
      );
      const { rows } = await client.query<{ generation: number }>(
        `SELECT generation FROM ${this.s}.rm_checkpoints WHERE projection = $1 AND generation <> $2`,
        [projection, generation],
      );
      for (const row of rows) await this.deleteGeneration(client, projection, row.generation);
    });
  }

  async document(projection: ProjectionName, name: string): Promise<unknown | null> {
    const { rows } = await this.pool.query<{ body: string }>(
      `SELECT d.body FROM ${this.s}.rm_documents d JOIN ${this.s}.rm_active a ON a.projection = d.projection AND a.generation = d.generation ` +
        'WHERE d.projection = $1 AND d.name = $2',
      [projection, name],
    );
    return rows.length > 0 ? JSON.parse(rows[0].body) : null;
  }

  async documentTexts(projection: ProjectionName): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ name: string; body: string }>(
      `SELECT d.name, d.body FROM ${this.s}.rm_documents d JOIN ${this.s}.rm_active a ON a.projection = d.projection AND a.generation = d.generation ` +
        'WHERE d.projection = $1 ORDER BY d.name',
      [projection],
    );
    return new Map(rows.map((row) => [row.name, row.body]));
  }

  async restatements(filter: RestatementFilter = {}): Promise<Restatement[]> {
    const where = ["a.projection = 'restatements'"];
    const values: unknown[] = [];
    if (filter.toPosition !== undefined) {
      values.push(filter.toPosition);
      where.push(`r.position <= $${values.length}`);
    }
    if (filter.occurredTo !== undefined) {
      values.push(filter.occurredTo);
      where.push(`r.occurred_key <= $${values.length}`);
    }
    values.push(filter.limit ?? null);
    const { rows } = await this.pool.query<{ body: string }>(
      `SELECT r.body FROM ${this.s}.rm_restatements r JOIN ${this.s}.rm_active a ON a.generation = r.generation ` +
        `WHERE ${where.join(' AND ')} ORDER BY r.position LIMIT $${values.length}`,
      values,
    );
    return rows.map((row) => JSON.parse(row.body) as Restatement);
  }

  async restatementRows(after: number, limit: number): Promise<StoredRestatement[]> {
    const { rows } = await this.pool.query<{ position: string; occurred_key: string; body: string }>(
      `SELECT r.position, r.occurred_key, r.body FROM ${this.s}.rm_restatements r ` +
        `JOIN ${this.s}.rm_active a ON a.generation = r.generation AND a.projection = 'restatements' WHERE r.position > $1 ORDER BY r.position LIMIT $2`,
      [after, limit],
    );
    return rows.map((row) => ({ position: Number(row.position), occurredKey: row.occurred_key, body: row.body }));
  }

  async snapshotMarks(format: string): Promise<SnapshotMark[]> {
    const { rows } = await this.pool.query<{ key: string; position: string; built_at: string; valid_from: string }>(
      `SELECT checkpoint_key AS key, checkpoint_position AS position, built_at, valid_from FROM ${this.s}.rm_snapshots WHERE format = $1`,
      [format],
    );
    return rows.map((row) => ({ checkpoint: { key: row.key, position: Number(row.position) }, builtAt: Number(row.built_at), validFrom: Number(row.valid_from) }));
  }

  async snapshot(format: string, mark: SnapshotMark): Promise<StoredSnapshot | null> {
    const { rows } = await this.pool.query<{ body: Buffer; digest: string | null }>(
      `SELECT body, digest FROM ${this.s}.rm_snapshots WHERE format = $1 AND checkpoint_key = $2 AND checkpoint_position = $3 AND built_at = $4`,
      [format, mark.checkpoint.key, mark.checkpoint.position, mark.builtAt],
    );
    return rows[0] ? { body: rows[0].body, digest: rows[0].digest } : null;
  }

  async addSnapshot(format: string, mark: SnapshotMark, body: Buffer): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.rm_snapshots (format, checkpoint_key, checkpoint_position, built_at, valid_from, body, digest) VALUES ($1, $2, $3, $4, $5, $6, $7) ` +
        'ON CONFLICT (format, checkpoint_key, checkpoint_position, built_at) DO UPDATE SET valid_from = excluded.valid_from, body = excluded.body, digest = excluded.digest',
      [format, mark.checkpoint.key, mark.checkpoint.position, mark.builtAt, mark.validFrom, body, bytesDigest(body)],
    );
  }

  async snapshotFrame(format: string, builtAt: number): Promise<StoredFrame | null> {
    const { rows } = await this.pool.query<{ body: string; digest: string | null }>(
      `SELECT body, digest FROM ${this.s}.rm_snapshot_frames WHERE format = $1 AND built_at = $2`,
      [format, builtAt],
    );
    return rows[0] ? { text: rows[0].body, digest: rows[0].digest } : null;
  }

  async addSnapshotFrame(format: string, builtAt: number, events: readonly FrameEvent[]): Promise<void> {
    const text = JSON.stringify(events);
    await this.pool.query(
      `INSERT INTO ${this.s}.rm_snapshot_frames (format, built_at, body, digest) VALUES ($1, $2, $3, $4) ` +
        'ON CONFLICT (format, built_at) DO UPDATE SET body = excluded.body, digest = excluded.digest',
      [format, builtAt, text, bytesDigest(text)],
    );
  }

  async clearSnapshots(): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.s}.rm_snapshots; DELETE FROM ${this.s}.rm_snapshot_frames`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async deleteGeneration(client: PoolClient, projection: ProjectionName, generation: number): Promise<void> {
    await client.query(`DELETE FROM ${this.s}.rm_documents WHERE projection = $1 AND generation = $2`, [projection, generation]);
    await client.query(`DELETE FROM ${this.s}.rm_checkpoints WHERE projection = $1 AND generation = $2`, [projection, generation]);
    if (projection === 'restatements') await client.query(`DELETE FROM ${this.s}.rm_restatements WHERE generation = $1`, [generation]);
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool, PoolClient, PoolConfig } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  AppendPlan,
  AppendPlanner,
  eventKeysOf,
  nextRecordedAt,
  PreparedAppend,
  prepareAppends,
  slicesOf,
  StoredContent,
  streamIdsOf,
} from '../append-plan';
import type { AppendProbe } from '../append-probe';
import { EventStoreError, EventStoreErrorCode } from '../event-store.errors';
import type {
  AppendResult,
  AppendSession,
  ChainRecord,
  EventFilter,
  EventStore,
  ExpectedVersion,
  NewEvent,
  BusinessPage,
  ReadPage,
  SessionAppendOptions,
  StoreHead,
  StoredEvent,
  StreamAppend,
  Subscription,
  SubscribeOptions,
} from '../event-store.port';
import { lastPositionRecordedBy } from '../known-at';
import { pollingSubscription } from '../polling-subscription';
import { StreamVersionCache } from '../stream-version-cache';
import { storedEventOf } from '../stored-event';
import { POSTGRES_MIGRATIONS } from './postgres-migrations';
import { guardPostgresPool } from './postgres-pool';
import { parsePostgresUrl, redact } from './postgres-url';

const COLUMNS =
  'position, event_id, stream_id, stream_version, type, schema_version, occurred_at, occurred_key, recorded_at, source, data, metadata, hash';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Serialises migrations of concurrent processes (an arbitrary constant: "capf" in ASCII). */
const MIGRATION_LOCK = 0x63617066;
/** Events planned and sent to COPY at a time (see writeAppend): about 1 MB of text. */
const COPY_SLICE_EVENTS = 2000;

interface EventRow {
  position: string;
  event_id: string;
  stream_id: string;
  stream_version: string;
  type: string;
  schema_version: number;
  occurred_at: string;
  occurred_key: string;
  recorded_at: string;
  source: string;
  data: string;
  metadata: string | null;
  hash: string;
}

function chainRecordOf(row: EventRow): ChainRecord {
  return {
    position: Number(row.position),
    eventId: row.event_id,
    streamId: row.stream_id,
    streamVersion: Number(row.stream_version),
    type: row.type,
    schemaVersion: row.schema_version,
    occurredAt: row.occurred_at,
    occurredKey: row.occurred_key,
    recordedAt: row.recorded_at,
    source: row.source,
    dataText: row.data,
    metadataText: row.metadata,
    hash: row.hash,
  };
}

export interface PostgresEventStoreOptions {
  clock?: () => Date;
  /** Pool size (default 4). */
  maxConnections?: number;
  probe?: AppendProbe;
}

/**
 * The PostgreSQL store.
 *
 * Ordering for readers: an append locks the single `store_head` row FOR UPDATE, assigns the next
 * positions, and commits, all under that lock. PostgreSQL makes a transaction visible before it
 * releases its locks, so appends become visible in position order and a reader polling
 * "position > last seen" can never miss an event that commits later with a lower position — the
 * hazard of concurrent appends with a sequence. We chose serialised appends over an xid8 /
 * pg_snapshot_xmin visibility fence (Emmett's approach) because ingestion already batches many
 * events per transaction (throughput comes from batch size, not from concurrent appenders), and
 * because the same lock lets a writer decide against the current state, chain hashes without
 * gaps, and keep positions contiguous so a deleted row is detectable.
 */
export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres';
  private readonly clock: () => Date;
  private readonly probe: AppendProbe | undefined;
  private readonly table: string;
  private readonly headTable: string;
  private closed = false;
  private readonly versionCache = new StreamVersionCache();

  private constructor(
    private readonly pool: Pool,
    readonly schema: string,
    options: PostgresEventStoreOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.probe = options.probe;
    this.table = `"${schema}".events`;
    this.headTable = `"${schema}".store_head`;
  }

  static async open(url: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const { connectionString, schema } = parsePostgresUrl(url);
    const config: PoolConfig = {
      connectionString,
      max: options.maxConnections ?? 4,
      connectionTimeoutMillis: 5000,
      application_name: 'capflow',
    };
    const pool = guardPostgresPool(new Pool(config));
    const store = new PostgresEventStore(pool, schema, options);
    try {
      await store.migrate();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw unavailable(error, `cannot open the PostgreSQL store at ${redact(url)}`);
    }
    return store;
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${this.schema}".schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM "${this.schema}".schema_migrations`);
      const applied = rows[0].version ?? 0;
      const known = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1].version;
      if (applied > known) {
        throw new EventStoreError(
          EventStoreErrorCode.UnsupportedSchema,
          `the store's schema is at version ${applied}, newer than this capflow knows (${known}): upgrade capflow`,
        );
      }
      for (const migration of POSTGRES_MIGRATIONS.filter((m) => m.version > applied)) {
        await client.query('BEGIN');
        try {
          await client.query(migration.sql.replaceAll('{schema}', `"${this.schema}"`));
          await client.query(`INSERT INTO "${this.schema}".schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
  }

  async append(streamId: string, events: readonly NewEvent[], options: { expectedVersion?: ExpectedVersion } = {}) {
    return this.appendMany([{ streamId, events: [...events], expectedVersion: options.expectedVersion }]);
  }

  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult> {
    const prepared = prepareAppends(appends); // CPU work before taking the lock
    return this.withAppendLock((session) => (session as PostgresAppendSession).appendPrepared(prepared, {}));
  }

  async withAppendLock<T>(work: (session: AppendSession) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let released = false;
    let opened = -1;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ position: string; hash: string | null; recorded_at: string | null }>(
        `SELECT position, hash, recorded_at FROM ${this.headTable} WHERE id = 1 FOR UPDATE`,
      );
      const head = { position: Number(rows[0].position), hash: rows[0].hash, recordedAt: rows[0].recorded_at };
      opened = head.position;
      this.probe?.opened(opened);
      this.versionCache.begin(head.position);
      const session = new PostgresAppendSession(this, client, head);
      const result = await work(session);
      await client.query('COMMIT');
      this.probe?.closed('committed', session.head.position);
      this.versionCache.committed(session.head.position);
      return result;
    } catch (error) {
      this.versionCache.forget();
      try {
        await client.query('ROLLBACK');
      } catch {
        client.release(true); // the connection is broken: do not return it to the pool
        released = true;
      }
      if (opened >= 0) this.probe?.closed('rolled_back', opened);
      throw isConnectionError(error) ? unavailable(error, 'the PostgreSQL store failed during an append') : error;
    } finally {
      if (!released) client.release();
    }
  }

  /** Plans and writes an append on the locked client. */
  async writeAppend(
    client: PoolClient,
    prepared: PreparedAppend[],
    head: StoreHead,
    options: SessionAppendOptions,
  ): Promise<Omit<AppendPlan, 'rows'>> {
    const versions = new Map<string, number>();
    const unknown: string[] = [];
    for (const streamId of streamIdsOf(prepared)) {
      const cached = options.knownVersions?.get(streamId) ?? this.versionCache.get(streamId);
      if (cached === undefined) unknown.push(streamId);
      else versions.set(streamId, cached);
    }
    if (unknown.length > 0) {
      const { rows: versionRows } = await client.query<{ stream_id: string; version: string }>({
        name: `capflow_versions_${this.schema}`,
        text:
          `SELECT s.id AS stream_id, v.version FROM unnest($1::text[]) AS s(id) CROSS JOIN LATERAL ` +
          `(SELECT stream_version AS version FROM ${this.table} WHERE stream_id = s.id ORDER BY stream_version DESC LIMIT 1) AS v`,
        values: [unknown],
      });
      for (const row of versionRows) versions.set(row.stream_id, Number(row.version));
    }
    const existing = new Map<string, StoredContent>();
    if (!options.eventIdsChecked) {
      for (const record of await this.findRecords(client, eventKeysOf(prepared))) existing.set(record.eventId, record);
    }

    // Planned and sent a slice at a time into one COPY: PostgreSQL stores a slice while the next
    // is planned and hashed, rather than waiting for the whole batch's text (one core each).
    const planner = new AppendPlanner(head, versions, existing, nextRecordedAt(this.clock(), head));
    const slices = slicesOf(prepared, COPY_SLICE_EVENTS);
    let next = 0;
    let first: ChainRecord[] = [];
    while (first.length === 0 && next < slices.length) first = planner.plan(slices[next++]);
    if (first.length > 0) {
      const rest = async function* () {
        yield copyText(first);
        first = [];
        while (next < slices.length) {
          const rows = planner.plan(slices[next++]); // a conflict here fails the COPY, and the transaction rolls back
          if (rows.length > 0) yield copyText(rows);
        }
      };
      // COPY: the fastest way in; PostgreSQL parses it far more cheaply than array parameters.
      await pipeline(Readable.from(rest()), client.query(copyFrom(`COPY ${this.table} (${COLUMNS}) FROM STDIN`)));
      for (const [streamId, version] of planner.streamVersions()) if (version >= 0) this.versionCache.set(streamId, version);
      const { head: written } = planner.outcome();
      await client.query(`UPDATE ${this.headTable} SET position = $1, hash = $2, recorded_at = $3 WHERE id = 1`, [
        written.position,
        written.hash,
        written.recordedAt,
      ]);
    }
    return planner.outcome();
  }

  // The lookups below go through LATERAL joins on purpose: one index probe per key, whatever the
  // planner believes of a table that a bulk load is growing faster than autovacuum analyses it
  // (measured: `stream_id = ANY($1)`, and a plain join, became hash joins over a parallel seq scan,
  // 40–80 ms a call, during a 1M-event import). OFFSET 0 keeps the subquery from being flattened.
  async findRecords(client: Pool | PoolClient, eventIds: readonly string[]): Promise<ChainRecord[]> {
    const keys = [...new Set(eventIds.map((id) => id.toLowerCase()))].filter((id) => UUID.test(id));
    if (keys.length === 0) return [];
    const { rows } = await client.query<EventRow>(
      `SELECT e.* FROM unnest($1::uuid[]) AS k(id) CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM ${this.table} WHERE event_id = k.id OFFSET 0) AS e ORDER BY e.position`,
      [keys],
    );
    return rows.map(chainRecordOf);
  }

  /** What a session just read under the lock is each stream's version: the append that follows need not ask again. */
  noteStreamVersions(streamIds: readonly string[], records: readonly ChainRecord[]): void {
    const versions = new Map<string, number>(streamIds.map((id) => [id, -1]));
    for (const record of records) versions.set(record.streamId, Math.max(versions.get(record.streamId) ?? -1, record.streamVersion));
    for (const [streamId, version] of versions) this.versionCache.set(streamId, version);
  }

  async readStreamRecords(client: Pool | PoolClient, streamIds: readonly string[]): Promise<ChainRecord[]> {
    if (streamIds.length === 0) return [];
    const { rows } = await client.query<EventRow>(
      `SELECT e.* FROM unnest($1::text[]) AS s(id) CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM ${this.table} WHERE stream_id = s.id OFFSET 0) AS e ORDER BY e.position`,
      [[...new Set(streamIds)]],
    );
    return rows.map(chainRecordOf);
  }

  async readRecords(client: Pool | PoolClient, page: ReadPage): Promise<ChainRecord[]> {
    const { rows } = await client.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE position > $1 ORDER BY position LIMIT $2`,
      [page.after ?? 0, page.limit ?? 1000],
    );
    return rows.map(chainRecordOf);
  }

  async readStream(streamId: string, options: { fromVersion?: number; limit?: number } = {}): Promise<StoredEvent[]> {
    const { rows } = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version LIMIT $3`,
      [streamId, options.fromVersion ?? 0, options.limit ?? null],
    );
    return rows.map((row) => storedEventOf(chainRecordOf(row)));
  }

  async readAll(page: ReadPage = {}): Promise<StoredEvent[]> {
    return (await this.readChainRecords(page)).map(storedEventOf);
  }

  async readChainRecords(page: ReadPage = {}): Promise<ChainRecord[]> {
    this.assertOpen();
    return this.guard(() => this.readRecords(this.pool, page));
  }

  async findEvents(eventIds: readonly string[]): Promise<StoredEvent[]> {
    this.assertOpen();
    return (await this.guard(() => this.findRecords(this.pool, eventIds))).map(storedEventOf);
  }

  async queryEvents(filter: EventFilter, page: ReadPage = {}): Promise<StoredEvent[]> {
    const where = ['position > $1'];
    const values: unknown[] = [page.after ?? 0];
    const add = (clause: string, value: string | undefined) => {
      if (value === undefined) return;
      values.push(value);
      where.push(`${clause} $${values.length}`);
    };
    add('stream_id =', filter.streamId);
    add('type =', filter.type);
    if (filter.types !== undefined) {
      values.push([...filter.types]);
      where.push(`type = ANY($${values.length}::text[])`);
    }
    if (filter.toPosition !== undefined) {
      values.push(filter.toPosition);
      where.push(`position <= $${values.length}`);
    }
    add('occurred_key >=', filter.occurredFrom);
    add('occurred_key <=', filter.occurredTo);
    add('recorded_at >=', filter.recordedFrom);
    add('recorded_at <=', filter.recordedTo);
    values.push(page.limit ?? 1000);
    const { rows } = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE ${where.join(' AND ')} ORDER BY position LIMIT $${values.length}`,
      values,
    );
    return rows.map((row) => storedEventOf(chainRecordOf(row)));
  }

  async readBusinessOrder(page: BusinessPage): Promise<StoredEvent[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (page.after) {
      values.push(page.after.occurredKey, page.after.position);
      where.push(`(occurred_key, position) > ($${values.length - 1}, $${values.length})`);
    }
    if (page.asOf !== undefined) {
      values.push(page.asOf);
      where.push(`occurred_key <= $${values.length}`);
    }
    if (page.toPosition !== undefined) {
      values.push(page.toPosition);
      where.push(`position <= $${values.length}`);
    }
    values.push(page.limit ?? 1000);
    const { rows } = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
        `ORDER BY occurred_key, position LIMIT $${values.length}`,
      values,
    );
    return rows.map((row) => storedEventOf(chainRecordOf(row)));
  }

  async positionKnownAt(recordedAt: string): Promise<number> {
    return lastPositionRecordedBy(recordedAt, (await this.head()).position, async (position) => {
      const { rows } = await this.query<{ recorded_at: string }>(`SELECT recorded_at FROM ${this.table} WHERE position = $1`, [position]);
      return rows[0]?.recorded_at;
    });
  }

  async head(): Promise<StoreHead> {
    const { rows } = await this.query<{ position: string; hash: string | null; recorded_at: string | null }>(
      `SELECT position, hash, recorded_at FROM ${this.headTable} WHERE id = 1`,
    );
    return { position: Number(rows[0].position), hash: rows[0].hash, recordedAt: rows[0].recorded_at };
  }

  subscribe(handler: (events: StoredEvent[]) => Promise<void> | void, options: SubscribeOptions): Subscription {
    return pollingSubscription((page) => this.readAll(page), handler, options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async connect(): Promise<PoolClient> {
    this.assertOpen();
    try {
      return await this.pool.connect();
    } catch (error) {
      throw unavailable(error, 'cannot reach the PostgreSQL store');
    }
  }

  private async query<R extends object>(text: string, values: unknown[] = []) {
    this.assertOpen();
    return this.guard(() => this.pool.query<R & import('pg').QueryResultRow>(text, values));
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw isConnectionError(error) ? unavailable(error, 'the PostgreSQL store failed') : error;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError(EventStoreErrorCode.StoreUnavailable, 'the store is closed');
  }
}

class PostgresAppendSession implements AppendSession {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly client: PoolClient,
    public head: StoreHead,
  ) {}

  async readStreams(streamIds: readonly string[]): Promise<StoredEvent[]> {
    const records = await this.store.readStreamRecords(this.client, streamIds);
    this.store.noteStreamVersions(streamIds, records);
    return records.map(storedEventOf);
  }

  async readAll(page: ReadPage = {}): Promise<StoredEvent[]> {
    return (await this.store.readRecords(this.client, page)).map(storedEventOf);
  }

  async findEvents(eventIds: readonly string[]): Promise<StoredEvent[]> {
    return (await this.store.findRecords(this.client, eventIds)).map(storedEventOf);
  }

  append(appends: readonly StreamAppend[], options: SessionAppendOptions = {}): Promise<AppendResult> {
    return this.appendPrepared(prepareAppends(appends), options);
  }

  async appendPrepared(prepared: PreparedAppend[], options: SessionAppendOptions): Promise<AppendResult> {
    const plan = await this.store.writeAppend(this.client, prepared, this.head, options);
    this.head = plan.head;
    return plan.result;
  }
}

/** Rows in COPY's text format: tab-separated, \N for null, backslash escapes. */
function copyText(rows: readonly ChainRecord[]): string {
  let text = '';
  for (const row of rows) {
    text +=
      `${row.position}\t${row.eventId}\t${copyField(row.streamId)}\t${row.streamVersion}\t${copyField(row.type)}\t` +
      `${row.schemaVersion}\t${copyField(row.occurredAt)}\t${row.occurredKey}\t${row.recordedAt}\t${copyField(row.source)}\t` +
      `${copyField(row.dataText)}\t${row.metadataText === null ? '\\N' : copyField(row.metadataText)}\t${row.hash}\n`;
  }
  return text;
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIALS = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function copyField(text: string): string {
  return COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]) : text;
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'ENOTFOUND' ||
    code === 'EPIPE' ||
    // 08: connection exceptions; 57P01-03: the server shut down, crashed or is starting up again
    (typeof code === 'string' && (code.startsWith('08') || /^57P0[123]$/.test(code) || code === '3D000' || code === '28P01' || code === '28000')) ||
    /Connection terminated|timeout exceeded when trying to connect|not queryable/i.test((error as Error)?.message ?? '')
  );
}

function unavailable(error: unknown, what: string): EventStoreError {
  if (error instanceof EventStoreError) return error;
  return new EventStoreError(EventStoreErrorCode.StoreUnavailable, `${what}: ${(error as Error).message || String(error)}`);
}


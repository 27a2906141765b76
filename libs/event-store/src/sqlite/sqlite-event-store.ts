import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  AppendPlan,
  eventKeysOf,
  nextRecordedAt,
  planAppend,
  PreparedAppend,
  prepareAppends,
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
import { Mutex } from '../mutex';
import { StreamVersionCache } from '../stream-version-cache';
import { pollingSubscription } from '../polling-subscription';
import { storedEventOf } from '../stored-event';
import { SQLITE_MIGRATIONS } from './sqlite-migrations';

const BUSY_TIMEOUT_MS = 30000;

const COLUMNS =
  'position, event_id, stream_id, stream_version, type, schema_version, occurred_at, occurred_key, recorded_at, source, data, metadata, hash';

interface EventRow {
  position: number;
  event_id: Buffer;
  stream_id: string;
  stream_version: number;
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

/** A lower-case 8-4-4-4-12 UUID as its 16 bytes. */
const uuidBytes = (key: string) =>
  Buffer.from(key.slice(0, 8) + key.slice(9, 13) + key.slice(14, 18) + key.slice(19, 23) + key.slice(24), 'hex');

function uuidText(bytes: Buffer): string {
  if (!Buffer.isBuffer(bytes)) return String(bytes); // a tampered row (see storageProblem): never a UUID
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const TEXT_COLUMNS = ['stream_id', 'type', 'occurred_at', 'occurred_key', 'recorded_at', 'source', 'data', 'hash'] as const;
const INTEGER_COLUMNS = ['position', 'stream_version', 'schema_version'] as const;

/**
 * SQLite stores whatever type a value has (`UPDATE events SET event_id = 3` leaves an integer in
 * the BLOB column): a column not of the type capflow writes is a tampered row, named as such,
 * rather than a value that breaks whoever reads it.
 */
function storageProblem(row: EventRow): string | undefined {
  const typeOf = (value: unknown) => (value === null ? 'null' : Buffer.isBuffer(value) ? 'a blob' : typeof value === 'string' ? 'text' : `a ${typeof value}`);
  const wrong: string[] = [];
  if (!Buffer.isBuffer(row.event_id) || row.event_id.length !== 16) wrong.push(`event_id is ${typeOf(row.event_id)}, not 16 bytes`);
  for (const column of INTEGER_COLUMNS) if (!Number.isSafeInteger(row[column])) wrong.push(`${column} is ${typeOf(row[column])}, not an integer`);
  for (const column of TEXT_COLUMNS) if (typeof row[column] !== 'string') wrong.push(`${column} is ${typeOf(row[column])}, not text`);
  if (row.metadata !== null && typeof row.metadata !== 'string') wrong.push(`metadata is ${typeOf(row.metadata)}, not text`);
  return wrong.length === 0 ? undefined : wrong.join('; ');
}

function chainRecordOf(row: EventRow): ChainRecord {
  const malformed = storageProblem(row);
  return {
    ...(malformed === undefined ? {} : { malformed }),
    position: row.position,
    eventId: uuidText(row.event_id),
    streamId: row.stream_id,
    streamVersion: row.stream_version,
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

export interface SqliteEventStoreOptions {
  clock?: () => Date;
  probe?: AppendProbe;
}

/**
 * The embedded store: one SQLite file in WAL mode. Appends run on a writer connection inside
 * BEGIN IMMEDIATE, which takes SQLite's write lock (across processes too) for the whole append,
 * so positions are assigned and committed in order; reads use a second connection and see only
 * committed events. synchronous=FULL: an append that returned survives a power cut.
 */
export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite';
  private readonly mutex = new Mutex();
  private readonly versionCache = new StreamVersionCache();
  private readonly clock: () => Date;
  private readonly probe: AppendProbe | undefined;
  private readonly statements: ReturnType<SqliteEventStore['prepareStatements']>;
  private closed = false;

  private constructor(
    private readonly writer: Database.Database,
    private readonly reader: Database.Database,
    options: SqliteEventStoreOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.probe = options.probe;
    this.statements = this.prepareStatements();
  }

  static open(path: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    if (path === ':memory:' || path === '') {
      throw new EventStoreError(EventStoreErrorCode.InvalidStoreUrl, 'the SQLite store needs a file path, e.g. sqlite:./data/capflow.db');
    }
    let writer: Database.Database | undefined;
    try {
      mkdirSync(dirname(path), { recursive: true });
      writer = new Database(path);
      writer.pragma('journal_mode = WAL');
      writer.pragma('synchronous = FULL');
      writer.pragma('busy_timeout = 10000');
      // The event-id index is random, so every batch touches pages all over it: keep more of it in
      // memory than the 2 MB default, and let the WAL grow to 40 MB between checkpoints so that a
      // page rewritten by many commits is copied back once (measured: about half the commit cost).
      writer.pragma('cache_size = -32768');
      writer.pragma('wal_autocheckpoint = 10000');
      migrate(writer);
      // from here on the writer waits for the lock asynchronously (beginImmediate)
      writer.pragma('busy_timeout = 0');
      const reader = new Database(path);
      reader.pragma('busy_timeout = 10000');
      reader.pragma('query_only = ON');
      return new SqliteEventStore(writer, reader, options);
    } catch (error) {
      writer?.close();
      if (error instanceof EventStoreError) throw error;
      throw new EventStoreError(EventStoreErrorCode.StoreUnavailable, `cannot open the SQLite store at ${path}: ${(error as Error).message}`);
    }
  }

  private prepareStatements() {
    const w = this.writer;
    const r = this.reader;
    return {
      head: w.prepare<[], { position: number; hash: string | null; recorded_at: string | null }>(
        'SELECT position, hash, recorded_at FROM store_head WHERE id = 1',
      ),
      readHead: r.prepare<[], { position: number; hash: string | null; recorded_at: string | null }>(
        'SELECT position, hash, recorded_at FROM store_head WHERE id = 1',
      ),
      streamVersion: w.prepare<[string], { version: number | null }>(
        'SELECT max(stream_version) AS version FROM events WHERE stream_id = ?',
      ),
      insert: w.prepare(`INSERT INTO events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      updateHead: w.prepare('UPDATE store_head SET position = ?, hash = ?, recorded_at = ? WHERE id = 1'),
      readAllW: w.prepare<[number, number], EventRow>(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
      readAllR: r.prepare<[number, number], EventRow>(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
      findW: w.prepare<[Buffer], EventRow>(`SELECT ${COLUMNS} FROM events WHERE event_id = ?`),
      findR: r.prepare<[Buffer], EventRow>(`SELECT ${COLUMNS} FROM events WHERE event_id = ?`),
      readStreamW: w.prepare<[string], EventRow>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? ORDER BY stream_version`),
      readStream: r.prepare<[string, number, number], EventRow>(
        `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND stream_version >= ? ORDER BY stream_version LIMIT ?`,
      ),
    };
  }

  async append(streamId: string, events: readonly NewEvent[], options: { expectedVersion?: ExpectedVersion } = {}) {
    return this.appendMany([{ streamId, events: [...events], expectedVersion: options.expectedVersion }]);
  }

  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult> {
    return this.withAppendLock((session) => session.append(appends));
  }

  withAppendLock<T>(work: (session: AppendSession) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      this.assertOpen();
      await this.beginImmediate();
      let opened = -1;
      try {
        const head = this.headRow();
        opened = head.position;
        this.probe?.opened(opened);
        this.versionCache.begin(head.position);
        const session = new SqliteAppendSession(this, head);
        const result = await work(session);
        this.writer.exec('COMMIT');
        this.probe?.closed('committed', session.head.position);
        this.versionCache.committed(session.head.position);
        return result;
      } catch (error) {
        this.versionCache.forget();
        if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
        if (opened >= 0) this.probe?.closed('rolled_back', opened);
        throw error;
      }
    });
  }

  /**
   * Takes SQLite's write lock. Another connection may hold it (another process, or another store
   * on the same file in this one): wait for it without blocking the event loop, since the holder
   * may need this very thread to finish its transaction.
   */
  private async beginImmediate(): Promise<void> {
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        this.writer.exec('BEGIN IMMEDIATE');
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
        if (Date.now() > deadline) {
          throw new EventStoreError(EventStoreErrorCode.StoreUnavailable, `the SQLite store stayed locked by another writer for ${BUSY_TIMEOUT_MS} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(50, 1 + attempt) * (0.5 + Math.random())));
      }
    }
  }

  /** Plans and writes an append; runs inside withAppendLock's transaction. */
  writeAppend(prepared: PreparedAppend[], head: StoreHead, options: SessionAppendOptions): AppendPlan {
    const versions = new Map<string, number>();
    for (const streamId of streamIdsOf(prepared)) {
      versions.set(
        streamId,
        options.knownVersions?.get(streamId) ?? this.versionCache.get(streamId) ?? this.statements.streamVersion.get(streamId)?.version ?? -1,
      );
    }
    const existing = new Map<string, StoredContent>();
    if (!options.eventIdsChecked) {
      for (const key of eventKeysOf(prepared)) {
        const row = this.statements.findW.get(uuidBytes(key));
        if (row) existing.set(key, chainRecordOf(row));
      }
    }
    const plan = planAppend(prepared, head, versions, existing, nextRecordedAt(this.clock(), head));
    const insert = this.statements.insert;
    for (const row of plan.rows) {
      insert.run(
        row.position,
        uuidBytes(row.eventId),
        row.streamId,
        row.streamVersion,
        row.type,
        row.schemaVersion,
        row.occurredAt,
        row.occurredKey,
        row.recordedAt,
        row.source,
        row.dataText,
        row.metadataText,
        row.hash,
      );
      this.versionCache.set(row.streamId, row.streamVersion);
    }
    if (plan.rows.length > 0) this.statements.updateHead.run(plan.head.position, plan.head.hash, plan.head.recordedAt);
    return plan;
  }

  readStreamsInTransaction(streamIds: readonly string[]): StoredEvent[] {
    const events: StoredEvent[] = [];
    for (const streamId of new Set(streamIds)) {
      const rows = this.statements.readStreamW.all(streamId);
      // what was just read is the stream's version: the append that follows need not ask again
      this.versionCache.set(streamId, rows.length > 0 ? rows[rows.length - 1].stream_version : -1);
      for (const row of rows) events.push(storedEventOf(chainRecordOf(row)));
    }
    return events.sort((a, b) => a.position - b.position);
  }

  readInTransaction(page: ReadPage): StoredEvent[] {
    return this.statements.readAllW.all(page.after ?? 0, page.limit ?? 1000).map((row) => storedEventOf(chainRecordOf(row)));
  }

  findInTransaction(eventIds: readonly string[]): StoredEvent[] {
    return this.find(eventIds, this.statements.findW);
  }

  private find(eventIds: readonly string[], statement: Database.Statement<[Buffer], EventRow>): StoredEvent[] {
    const found: StoredEvent[] = [];
    for (const id of new Set(eventIds.map((eventId) => eventId.toLowerCase()))) {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) continue;
      const row = statement.get(uuidBytes(id));
      if (row) found.push(storedEventOf(chainRecordOf(row)));
    }
    return found.sort((a, b) => a.position - b.position);
  }

  private headRow(): StoreHead {
    const row = this.statements.head.get()!;
    return { position: row.position, hash: row.hash, recordedAt: row.recorded_at };
  }

  async readStream(streamId: string, options: { fromVersion?: number; limit?: number } = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.statements.readStream
      .all(streamId, options.fromVersion ?? 0, options.limit ?? -1)
      .map((row) => storedEventOf(chainRecordOf(row)));
  }

  async readAll(page: ReadPage = {}): Promise<StoredEvent[]> {
    return (await this.readChainRecords(page)).map(storedEventOf);
  }

  async readChainRecords(page: ReadPage = {}): Promise<ChainRecord[]> {
    this.assertOpen();
    return this.statements.readAllR.all(page.after ?? 0, page.limit ?? 1000).map(chainRecordOf);
  }

  async findEvents(eventIds: readonly string[]): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.find(eventIds, this.statements.findR);
  }

  async queryEvents(filter: EventFilter, page: ReadPage = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const where = ['position > ?'];
    const values: unknown[] = [page.after ?? 0];
    const add = (clause: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      values.push(value);
    };
    add('stream_id = ?', filter.streamId);
    add('type = ?', filter.type);
    if (filter.types !== undefined) {
      where.push(`type IN (${filter.types.map(() => '?').join(', ') || 'NULL'})`);
      values.push(...filter.types);
    }
    if (filter.toPosition !== undefined) {
      where.push('position <= ?');
      values.push(filter.toPosition);
    }
    add('occurred_key >= ?', filter.occurredFrom);
    add('occurred_key <= ?', filter.occurredTo);
    add('recorded_at >= ?', filter.recordedFrom);
    add('recorded_at <= ?', filter.recordedTo);
    const rows = this.reader
      .prepare<unknown[], EventRow>(`SELECT ${COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY position LIMIT ?`)
      .all(...values, page.limit ?? 1000);
    return rows.map((row) => storedEventOf(chainRecordOf(row)));
  }

  async readBusinessOrder(page: BusinessPage): Promise<StoredEvent[]> {
    this.assertOpen();
    const where: string[] = [];
    const values: unknown[] = [];
    if (page.after) {
      where.push('(occurred_key > ? OR (occurred_key = ? AND position > ?))');
      values.push(page.after.occurredKey, page.after.occurredKey, page.after.position);
    }
    if (page.asOf !== undefined) {
      where.push('occurred_key <= ?');
      values.push(page.asOf);
    }
    if (page.toPosition !== undefined) {
      where.push('position <= ?');
      values.push(page.toPosition);
    }
    const rows = this.reader
      .prepare<unknown[], EventRow>(
        `SELECT ${COLUMNS} FROM events INDEXED BY events_by_business_time ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
          'ORDER BY occurred_key, position LIMIT ?',
      )
      .all(...values, page.limit ?? 1000);
    return rows.map((row) => storedEventOf(chainRecordOf(row)));
  }

  async positionKnownAt(recordedAt: string): Promise<number> {
    this.assertOpen();
    const recordedAtOf = this.reader.prepare<[number], { recorded_at: string }>('SELECT recorded_at FROM events WHERE position = ?');
    return lastPositionRecordedBy(recordedAt, (await this.head()).position, async (position) => recordedAtOf.get(position)?.recorded_at);
  }

  async head(): Promise<StoreHead> {
    this.assertOpen();
    const row = this.statements.readHead.get()!;
    return { position: row.position, hash: row.hash, recordedAt: row.recorded_at };
  }

  subscribe(handler: (events: StoredEvent[]) => Promise<void> | void, options: SubscribeOptions): Subscription {
    return pollingSubscription((page) => this.readAll(page), handler, options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.mutex.run(async () => {
      this.closed = true;
      this.reader.close();
      this.writer.close();
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError(EventStoreErrorCode.StoreUnavailable, 'the store is closed');
  }
}

class SqliteAppendSession implements AppendSession {
  constructor(
    private readonly store: SqliteEventStore,
    public head: StoreHead,
  ) {}

  async readStreams(streamIds: readonly string[]): Promise<StoredEvent[]> {
    return this.store.readStreamsInTransaction(streamIds);
  }

  async readAll(page: ReadPage = {}): Promise<StoredEvent[]> {
    return this.store.readInTransaction(page);
  }

  async findEvents(eventIds: readonly string[]): Promise<StoredEvent[]> {
    return this.store.findInTransaction(eventIds);
  }

  async append(appends: readonly StreamAppend[], options: SessionAppendOptions = {}): Promise<AppendResult> {
    const plan = this.store.writeAppend(prepareAppends(appends), this.head, options);
    this.head = plan.head;
    return plan.result;
  }
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  db.exec('BEGIN IMMEDIATE');
  try {
    const applied = (db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as { version: number | null }).version ?? 0;
    const known = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1].version;
    if (applied > known) {
      throw new EventStoreError(
        EventStoreErrorCode.UnsupportedSchema,
        `the store's schema is at version ${applied}, newer than this capflow knows (${known}): upgrade capflow`,
      );
    }
    for (const migration of SQLITE_MIGRATIONS.filter((m) => m.version > applied)) {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

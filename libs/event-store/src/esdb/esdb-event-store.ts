import { randomUUID } from 'node:crypto';
import { nextRecordedAt, planAppend, PreparedAppend, prepareAppends, StoredContent } from '../append-plan';
import { EventStoreError, EventStoreErrorCode } from '../event-store.errors';
import type {
  AppendResult,
  AppendSession,
  BusinessPage,
  ChainRecord,
  EventFilter,
  EventStore,
  ExpectedVersion,
  NewEvent,
  ReadPage,
  SessionAppendOptions,
  StoreHead,
  StoredEvent,
  StreamAppend,
  SubscribeOptions,
} from '../event-store.port';
import { lastPositionRecordedBy } from '../known-at';
import { Mutex } from '../mutex';
import { storedEventOf } from '../stored-event';
import { StreamVersionCache } from '../stream-version-cache';
import { BusinessOrderIndex, runsOf } from './business-order-index';
import { EsdbConflict } from './esdb-errors';
import type { EsdbGateway, EsdbResolved } from './esdb-gateway';
import { AppendLockOptions, EsdbAppendLock, Lease, recordedHead } from './esdb-lock';
import {
  assertStorableStreamId,
  chainRecordOfLogEvent,
  ESDB_SCHEMA_VERSION,
  EsdbCheckpoint,
  EsdbStreams,
  expectedRevisionAfter,
  linkTo,
  logEventOf,
  revisionOf,
  SCHEMA_EVENT_TYPE,
  schemaVersionOf,
  versionOfRevision,
} from './esdb-records';
import { catchUpSubscription, CheckpointedSubscription } from './esdb-subscription';
import { DEFAULT_MAX_APPEND_SIZE, parseEsdbUrl } from './esdb-url';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Requests in flight at once for per-stream and per-eventId work. */
const CONCURRENCY = 32;
/** What the adapter adds to an event's data and provenance in the log (the metadata's other fields), for sizing appends. */
const RECORD_OVERHEAD_BYTES = 600;
/** Log appends on a re-planned append after the lease was lost, before giving up. */
const APPEND_ATTEMPTS = 3;
/** Old lock events are of no use: let the server scavenge them. */
const LOCK_STREAM_MAX_COUNT = 1000;

export interface EsdbEventStoreOptions {
  clock?: () => Date;
  lock?: AppendLockOptions;
}

/** The parts of the store's settings the adapter itself uses (the URL's; the gateway has the rest). */
export interface EsdbStoreSettings {
  namespace: string;
  maxAppendSize?: number;
}

/** An eventId looked up in the dedup index: the fact stored under it, if any, and the index stream's revision. */
interface IdLookup {
  record: ChainRecord | null;
  /** Revision of the index stream's last link; -1: no index stream. */
  revision: bigint;
}

/**
 * The EventStoreDB (KurrentDB) store. Layout: see esdb-records.ts. In short:
 *
 * - **Positions.** capflow-log is the log: revision r is position r + 1. Appends to it carry the
 *   exact revision of its last event, so positions are contiguous, assigned in order, and visible
 *   in order — what the port promises and verify relies on. EventStoreDB's own $all positions
 *   (commit/prepare) are not contiguous; they serve only to resume subscriptions.
 * - **The append lock** is a lease in capflow-lock (esdb-lock.ts); the exact revision on the log
 *   is what actually fences writers, so a writer that lost its lease cannot append.
 * - **Atomicity.** An append is planned whole under the lock (expected versions, duplicates,
 *   positions, recordedAt, hash chain: the same append-plan.ts as the other adapters), then
 *   committed by one append to capflow-log (several if it exceeds the server's maximum append
 *   size). Nothing of it exists before that commit: what `work` appends inside withAppendLock is
 *   kept by the session and written only when `work` returns.
 * - **Idempotency by eventId**, not by EventStoreDB's duplicate check: every eventId has a dedup
 *   stream, capflow-id-<eventId>, with a link to its fact in the log. Before the commit, each new
 *   eventId's link is appended under the exact revision of that stream (no_stream when new), so a
 *   fact is never committed without its link, and a stored eventId cannot be appended again even
 *   by a caller that claims it checked. A link whose commit then failed points to a log event of
 *   another eventId (or to none): lookups ignore it.
 * - **Streams.** After the commit, each capflow stream `<kind>-<id>` gets links to its new facts,
 *   under the exact revision (= stream version) planned; the lock stream records the position up
 *   to which links are complete, and the next holder of the lock completes them after a crash.
 */
export class EsdbEventStore implements EventStore {
  readonly kind = 'esdb';
  readonly streams: EsdbStreams;
  private readonly clock: () => Date;
  private readonly lock: EsdbAppendLock;
  private readonly mutex = new Mutex();
  private readonly versionCache = new StreamVersionCache();
  private readonly businessOrder = new BusinessOrderIndex();
  private readonly maxAppendSize: number;
  private readonly subscriptions = new Set<CheckpointedSubscription>();
  private closed = false;

  private constructor(
    readonly gateway: EsdbGateway,
    settings: EsdbStoreSettings,
    options: EsdbEventStoreOptions,
  ) {
    this.streams = new EsdbStreams(settings.namespace);
    this.clock = options.clock ?? (() => new Date());
    this.lock = new EsdbAppendLock(gateway, this.streams.lock, options.lock);
    this.maxAppendSize = settings.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE;
  }

  /** Opens the store an esdb:// URL names, failing within the URL's connectTimeout when no server answers. */
  static async open(url: string, options: EsdbEventStoreOptions = {}): Promise<EsdbEventStore> {
    const settings = parseEsdbUrl(url);
    const { EsdbClientGateway } = await import('./esdb-client-gateway');
    const gateway = EsdbClientGateway.connect(settings);
    try {
      return await EsdbEventStore.over(gateway, settings, options);
    } catch (error) {
      if (error instanceof EventStoreError && error.code === EventStoreErrorCode.StoreUnavailable) {
        throw new EventStoreError(error.code, `cannot open the EventStoreDB store ${settings.redacted}: ${error.message}`, error.details);
      }
      throw error;
    }
  }

  /** The store over any gateway (the tests' in-memory server too): checks the schema marker, writing it on first use. */
  static async over(gateway: EsdbGateway, settings: EsdbStoreSettings, options: EsdbEventStoreOptions = {}): Promise<EsdbEventStore> {
    const store = new EsdbEventStore(gateway, settings, options);
    try {
      await store.initialise();
      return store;
    } catch (error) {
      await gateway.close().catch(() => undefined);
      throw error;
    }
  }

  private async initialise(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const last = await this.last(this.streams.schema);
      const version = schemaVersionOf(last?.event);
      if (version > ESDB_SCHEMA_VERSION) {
        throw new EventStoreError(
          EventStoreErrorCode.UnsupportedSchema,
          `the store's schema is at version ${version}, newer than this capflow knows (${ESDB_SCHEMA_VERSION}): upgrade capflow`,
        );
      }
      if (version === ESDB_SCHEMA_VERSION) return;
      try {
        await this.gateway.limitStreamLength(this.streams.lock, LOCK_STREAM_MAX_COUNT);
        await this.gateway.append(
          this.streams.schema,
          [{ kind: 'json', id: randomUUID(), type: SCHEMA_EVENT_TYPE, data: { version: ESDB_SCHEMA_VERSION } }],
          last?.event ? last.event.revision : 'no_stream',
        );
        return;
      } catch (error) {
        if (!(error instanceof EsdbConflict) || attempt > 2) throw error; // another process wrote it first: read it again
      }
    }
  }

  // ---- appending ----

  async append(streamId: string, events: readonly NewEvent[], options: { expectedVersion?: ExpectedVersion } = {}): Promise<AppendResult> {
    return this.appendMany([{ streamId, events: [...events], expectedVersion: options.expectedVersion }]);
  }

  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult> {
    const prepared = this.prepare(appends); // CPU work before taking the lock
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.withAppendLock((session) => (session as EsdbAppendSession).appendPrepared(prepared, {}));
      } catch (error) {
        // the lease ran out and another writer appended: nothing of ours was stored; plan again
        if (!(error instanceof LostAppendLock) || attempt >= APPEND_ATTEMPTS) throw error;
      }
    }
  }

  /** The store's clock: recordedAt of the next append. */
  clockNow(): Date {
    return this.clock();
  }

  prepare(appends: readonly StreamAppend[]): PreparedAppend[] {
    for (const append of appends) assertStorableStreamId(append.streamId);
    return prepareAppends(appends);
  }

  withAppendLock<T>(work: (session: AppendSession) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      this.assertOpen();
      const lease = await this.lock.acquire();
      let indexed = lease.taken.indexed;
      let recorded = lease.taken.head;
      try {
        const head = await this.logHead();
        if (recorded && recorded.position > head.position) {
          throw new EventStoreError(
            EventStoreErrorCode.CorruptEvent,
            `${this.streams.log} ends at position ${head.position}, but the store recorded its head at ${recorded.position}: events were deleted; run verify`,
            { position: head.position + 1 },
          );
        }
        if (indexed < head.position) {
          await this.completeLinks(indexed, head.position);
        }
        indexed = head.position;
        recorded = head.position > 0 ? head : recorded;
        this.versionCache.begin(head.position);
        const session = new EsdbAppendSession(this, head);
        const result = await work(session);
        if (session.rows.length > 0) {
          await this.commit(session, head, lease);
          indexed = session.head.position;
          recorded = session.head;
        }
        this.versionCache.committed(session.head.position);
        return result;
      } catch (error) {
        this.versionCache.forget();
        throw error;
      } finally {
        await lease.release(indexed, recorded);
      }
    });
  }

  /** Versions of the streams an append touches, as they stand under the lock. */
  async currentVersions(streamIds: readonly string[], session: EsdbAppendSession, options: SessionAppendOptions): Promise<Map<string, number>> {
    const versions = new Map<string, number>();
    const unknown: string[] = [];
    for (const streamId of streamIds) {
      const known = session.pendingVersion(streamId) ?? options.knownVersions?.get(streamId) ?? this.versionCache.get(streamId);
      if (known === undefined) unknown.push(streamId);
      else versions.set(streamId, known);
    }
    await forEachLimit(unknown, async (streamId) => {
      const last = await this.last(this.streams.entity(streamId), false);
      const version = last?.event ? versionOfRevision(last.event.revision) : -1;
      versions.set(streamId, version);
      this.versionCache.set(streamId, version);
    });
    return versions;
  }

  /** Writes a session's rows: dedup links, the log, then the streams' links. */
  private async commit(session: EsdbAppendSession, head: StoreHead, lease: Lease): Promise<void> {
    const rows = session.rows;
    await forEachLimit(rows, (row) => this.reserveEventId(row, session.idRevisions.get(row.eventId), session.idsChecked.has(row.eventId)));
    if (!lease.held) throw new LostAppendLock(this.streams.log);
    let expected = head.position;
    for (const part of partsOf(rows, this.maxAppendSize)) {
      try {
        await this.gateway.append(this.streams.log, part.map(logEventOf), expectedRevisionAfter(expected - 1));
      } catch (error) {
        if (error instanceof EsdbConflict) {
          throw expected === head.position
            ? new LostAppendLock(this.streams.log)
            : new EventStoreError(
                EventStoreErrorCode.StoreUnavailable,
                `another writer appended to ${this.streams.log} in the middle of a large append (positions ${head.position + 1}–${expected} were stored, the rest not): retry it`,
              );
        }
        throw error;
      }
      expected += part.length;
      for (const row of part) this.versionCache.set(row.streamId, row.streamVersion);
    }
    await this.linkStreams(rows);
  }

  /**
   * Appends the dedup link of a new fact, before its commit. `known`: the index stream's revision
   * if this session looked the eventId up. A link that is already there for a stored fact means
   * the eventId is stored: event_id_conflict (the caller said it checked and had not).
   */
  private async reserveEventId(row: ChainRecord, known: bigint | undefined, checkedHere: boolean): Promise<void> {
    const stream = this.streams.eventId(row.eventId);
    let expected = known === undefined ? 'no_stream' : expectedRevisionAfter(versionOfRevision(known));
    for (let attempt = 0; ; attempt++) {
      try {
        await this.gateway.append(stream, [linkTo(this.streams, row.position)], expected);
        return;
      } catch (error) {
        if (!(error instanceof EsdbConflict) || attempt >= 3) throw error;
        const found = await this.lookupEventId(row.eventId);
        if (found.record) {
          throw new EventStoreError(
            EventStoreErrorCode.EventIdConflict,
            `event ${row.eventId} is already stored (position ${found.record.position})${checkedHere ? '' : ': the append said its eventIds were checked'}`,
            { eventId: row.eventId },
          );
        }
        expected = expectedRevisionAfter(versionOfRevision(found.revision)); // links of appends that never committed
      }
    }
  }

  /** Links each capflow stream to its new facts, under the exact revision planned. */
  private async linkStreams(rows: readonly ChainRecord[]): Promise<void> {
    const byStream = new Map<string, ChainRecord[]>();
    for (const row of rows) {
      const list = byStream.get(row.streamId);
      if (list) list.push(row);
      else byStream.set(row.streamId, [row]);
    }
    await forEachLimit([...byStream], async ([streamId, streamRows]) => {
      try {
        await this.gateway.append(
          this.streams.entity(streamId),
          streamRows.map((row) => linkTo(this.streams, row.position)),
          expectedRevisionAfter(streamRows[0].streamVersion - 1),
        );
      } catch (error) {
        if (!(error instanceof EsdbConflict)) throw error;
        await this.fillLinks(streamId, streamRows); // some were written before a crash
      }
    });
  }

  /** Appends the links a stream lacks of `rows` (its facts in position order). */
  private async fillLinks(streamId: string, rows: readonly ChainRecord[]): Promise<void> {
    const stream = this.streams.entity(streamId);
    const last = await this.last(stream, false);
    const linked = last?.event ? versionOfRevision(last.event.revision) : -1;
    const missing = rows.filter((row) => row.streamVersion > linked);
    if (missing.length === 0) return;
    if (missing[0].streamVersion !== linked + 1) {
      throw new EventStoreError(
        EventStoreErrorCode.CorruptEvent,
        `stream ${stream} has links up to version ${linked}, but the log's next event of it is version ${missing[0].streamVersion}: run verify`,
        { position: missing[0].position },
      );
    }
    await this.gateway.append(stream, missing.map((row) => linkTo(this.streams, row.position)), expectedRevisionAfter(linked));
    this.versionCache.set(streamId, missing[missing.length - 1].streamVersion);
  }

  /** After a writer died between its commit and its links: the links of positions (from, to]. */
  private async completeLinks(from: number, to: number): Promise<void> {
    for (let after = from; after < to; ) {
      const records = await this.readLog(after, Math.min(5000, to - after));
      if (records.length === 0) break;
      const byStream = new Map<string, ChainRecord[]>();
      for (const record of records) byStream.set(record.streamId, [...(byStream.get(record.streamId) ?? []), record]);
      await forEachLimit([...byStream], ([streamId, streamRecords]) => this.fillLinks(streamId, streamRecords));
      after = records[records.length - 1].position;
    }
  }

  // ---- reading ----

  /**
   * The head: the log's last event, unless the head recorded beside the log (by the last writer,
   * in the lock stream) lies beyond it — then events were deleted from the end of the log, and the
   * recorded head is what verify must find.
   */
  async head(): Promise<StoreHead> {
    this.assertOpen();
    const [head, recorded] = await Promise.all([this.logHead(), recordedHead(this.gateway, this.streams.lock)]);
    return recorded && recorded.position > head.position ? recorded : head;
  }

  /** The log's last event. */
  private async logHead(): Promise<StoreHead> {
    const last = await this.last(this.streams.log);
    if (!last?.event) return { position: 0, hash: null, recordedAt: null };
    const record = chainRecordOfLogEvent(last.event);
    return { position: record.position, hash: record.hash, recordedAt: record.recordedAt };
  }

  /** Log records after a position, in order. */
  async readLog(after: number, limit: number): Promise<ChainRecord[]> {
    if (limit <= 0) return [];
    const read = await this.gateway.read(this.streams.log, { from: revisionOf(after + 1), count: limit });
    return read.flatMap((resolved) => (resolved.event ? [chainRecordOfLogEvent(resolved.event)] : []));
  }

  async readChainRecords(page: ReadPage = {}): Promise<ChainRecord[]> {
    this.assertOpen();
    return this.readLog(page.after ?? 0, page.limit ?? 1000);
  }

  async readAll(page: ReadPage = {}): Promise<StoredEvent[]> {
    return (await this.readChainRecords(page)).map(storedEventOf);
  }

  async readStream(streamId: string, options: { fromVersion?: number; limit?: number } = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    if (streamId.startsWith('$') || streamId.startsWith('capflow-')) return [];
    return (await this.readStreamRecords(streamId, options.fromVersion ?? 0, options.limit)).map(storedEventOf);
  }

  /** A capflow stream's facts, through its links. */
  async readStreamRecords(streamId: string, fromVersion = 0, limit?: number): Promise<ChainRecord[]> {
    const stream = this.streams.entity(streamId);
    const read = await this.gateway.read(stream, { from: BigInt(fromVersion), count: limit, resolveLinks: true });
    return read.map((resolved) => {
      const event = resolved.event;
      const version = resolved.link?.revision ?? event?.revision;
      if (!event || event.streamId !== this.streams.log) {
        throw new EventStoreError(
          EventStoreErrorCode.CorruptEvent,
          `version ${String(version)} of ${stream} does not lead to an event of ${this.streams.log}: run verify`,
        );
      }
      const record = chainRecordOfLogEvent(event);
      if (record.streamId !== streamId || BigInt(record.streamVersion) !== version) {
        throw new EventStoreError(
          EventStoreErrorCode.CorruptEvent,
          `version ${String(version)} of ${stream} leads to position ${record.position}, an event of ${record.streamId} version ${record.streamVersion}: run verify`,
          { position: record.position },
        );
      }
      return record;
    });
  }

  async findEvents(eventIds: readonly string[]): Promise<StoredEvent[]> {
    this.assertOpen();
    const found = await this.lookupEventIds(eventIds);
    return [...found.values()]
      .flatMap((lookup) => (lookup.record ? [lookup.record] : []))
      .sort((a, b) => a.position - b.position)
      .map(storedEventOf);
  }

  /** The dedup index for several eventIds (invalid ones are simply not found). */
  async lookupEventIds(eventIds: readonly string[]): Promise<Map<string, IdLookup>> {
    const keys = [...new Set(eventIds.map((id) => id.toLowerCase()))].filter((id) => UUID.test(id));
    const found = new Map<string, IdLookup>();
    await forEachLimit(keys, async (key) => found.set(key, await this.lookupEventId(key)));
    return found;
  }

  private async lookupEventId(eventId: string): Promise<IdLookup> {
    const read = await this.gateway.read(this.streams.eventId(eventId), { resolveLinks: true });
    let record: ChainRecord | null = null;
    for (const resolved of read) {
      const event = resolved.event;
      if (record || !resolved.link || !event || event.streamId !== this.streams.log || event.id.toLowerCase() !== eventId) continue;
      record = chainRecordOfLogEvent(event);
    }
    const last = read[read.length - 1];
    const revision = last ? (last.link ?? last.event)!.revision : -1n;
    return { record, revision };
  }

  async queryEvents(filter: EventFilter, page: ReadPage = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const after = page.after ?? 0;
    const limit = page.limit ?? 1000;
    const matches = (record: ChainRecord) => record.position > after && matchesFilter(record, filter);
    if (filter.streamId !== undefined) {
      if (filter.streamId.startsWith('$') || filter.streamId.startsWith('capflow-')) return [];
      return (await this.readStreamRecords(filter.streamId)).filter(matches).slice(0, limit).map(storedEventOf);
    }
    // EventStoreDB has no secondary indexes capflow can use: scan the log, a page at a time
    const selected: ChainRecord[] = [];
    for (let cursor = after; selected.length < limit; ) {
      if (filter.toPosition !== undefined && cursor >= filter.toPosition) break;
      const records = await this.readLog(cursor, Math.max(1000, limit));
      if (records.length === 0) break;
      for (const record of records) if (selected.length < limit && matches(record)) selected.push(record);
      cursor = records[records.length - 1].position;
    }
    return selected.map(storedEventOf);
  }

  async readBusinessOrder(page: BusinessPage): Promise<StoredEvent[]> {
    this.assertOpen();
    await this.businessOrder.extend((after, limit) => this.readLog(after, limit));
    const positions = this.businessOrder.select(page);
    const byPosition = new Map<number, ChainRecord>();
    await forEachLimit(runsOf(positions), async ([first, count]) => {
      for (const record of await this.readLog(first - 1, count)) byPosition.set(record.position, record);
    });
    return positions.flatMap((position) => {
      const record = byPosition.get(position);
      return record ? [storedEventOf(record)] : [];
    });
  }

  async positionKnownAt(recordedAt: string): Promise<number> {
    this.assertOpen();
    return lastPositionRecordedBy(recordedAt, (await this.head()).position, async (position) => (await this.readLog(position - 1, 1))[0]?.recordedAt);
  }

  /**
   * A catch-up subscription to $all filtered to capflow's log (see esdb-subscription.ts), starting
   * after a capflow position: the $all position of that event is looked up in the log.
   */
  subscribe(handler: (events: StoredEvent[]) => Promise<void> | void, options: SubscribeOptions): CheckpointedSubscription {
    this.assertOpen();
    const holder: { inner?: CheckpointedSubscription; stopped: boolean } = { stopped: false };
    const done = (async () => {
      const from = await this.checkpointAt(options.after);
      if (holder.stopped) return;
      holder.inner = catchUpSubscription(this.gateway, this.streams, handler, { from, batchSize: options.batchSize });
      await holder.inner.done;
    })();
    return this.track({
      done,
      checkpoint: () => holder.inner?.checkpoint() ?? { position: options.after, commit: 0n, prepare: 0n },
      async stop() {
        holder.stopped = true;
        await holder.inner?.stop();
        await done.catch(() => undefined);
      },
    });
  }

  /** Resumes a subscription exactly where an earlier one's checkpoint says. */
  subscribeFrom(checkpoint: EsdbCheckpoint, handler: (events: StoredEvent[]) => Promise<void> | void, batchSize?: number): CheckpointedSubscription {
    this.assertOpen();
    return this.track(catchUpSubscription(this.gateway, this.streams, handler, { from: checkpoint, batchSize }));
  }

  /** Live subscriptions end with the store. */
  private track(subscription: CheckpointedSubscription): CheckpointedSubscription {
    this.subscriptions.add(subscription);
    subscription.done.catch(() => undefined).finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  /** The checkpoint right after a capflow position: the commit and prepare positions of its log event. */
  async checkpointAt(position: number): Promise<EsdbCheckpoint> {
    if (position <= 0) return { position: 0, commit: 0n, prepare: 0n };
    const [resolved] = await this.gateway.read(this.streams.log, { from: revisionOf(position), count: 1 });
    const at = resolved?.event?.position;
    // no such event yet, or a server before 22.6 (no positions on stream reads): from the start,
    // skipping what the subscriber has seen
    return at ? { position, commit: at.commit, prepare: at.prepare } : { position, commit: 0n, prepare: 0n };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.mutex.run(async () => {
      this.closed = true;
      await this.gateway.close();
    });
  }

  private async last(stream: string, resolveLinks = false): Promise<EsdbResolved | undefined> {
    const [last] = await this.gateway.read(stream, { from: 'end', backwards: true, count: 1, resolveLinks });
    return last;
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError(EventStoreErrorCode.StoreUnavailable, 'the store is closed');
  }
}

/** Reads and appends under the lock: appends are kept here and written when `work` returns. */
class EsdbAppendSession implements AppendSession {
  readonly rows: ChainRecord[] = [];
  /** The dedup streams' revisions, for eventIds this session looked up. */
  readonly idRevisions = new Map<string, bigint>();
  /** EventIds this session looked up itself. */
  readonly idsChecked = new Set<string>();
  private readonly pendingById = new Map<string, ChainRecord>();
  private readonly versions = new Map<string, number>();

  /** The store's head when the lock was taken: what this session reads of the log. */
  private readonly base: StoreHead;

  constructor(
    private readonly store: EsdbEventStore,
    public head: StoreHead,
  ) {
    this.base = head;
  }

  pendingVersion(streamId: string): number | undefined {
    return this.versions.get(streamId);
  }

  async readAll(page: ReadPage = {}): Promise<StoredEvent[]> {
    const after = page.after ?? 0;
    const limit = page.limit ?? 1000;
    const stored = after < this.base.position ? await this.store.readLog(after, Math.min(limit, this.base.position - after)) : [];
    const own = this.rows.filter((row) => row.position > after).slice(0, limit - stored.length);
    return [...stored, ...own].map(storedEventOf);
  }

  async findEvents(eventIds: readonly string[]): Promise<StoredEvent[]> {
    return (await this.find(eventIds)).sort((a, b) => a.position - b.position).map(storedEventOf);
  }

  private async find(eventIds: readonly string[]): Promise<ChainRecord[]> {
    const keys = [...new Set(eventIds.map((id) => id.toLowerCase()))];
    const own = keys.flatMap((key) => (this.pendingById.has(key) ? [this.pendingById.get(key)!] : []));
    const lookups = await this.store.lookupEventIds(keys.filter((key) => !this.pendingById.has(key)));
    const stored: ChainRecord[] = [];
    for (const [key, lookup] of lookups) {
      this.idRevisions.set(key, lookup.revision);
      this.idsChecked.add(key);
      if (lookup.record) stored.push(lookup.record);
    }
    return [...stored, ...own];
  }

  async readStreams(streamIds: readonly string[]): Promise<StoredEvent[]> {
    const records: ChainRecord[] = [];
    await forEachLimit([...new Set(streamIds)], async (streamId) => {
      const stored =
        streamId.startsWith('$') || streamId.startsWith('capflow-') ? [] : await this.store.readStreamRecords(streamId);
      const own = this.rows.filter((row) => row.streamId === streamId);
      records.push(...stored, ...own);
      if (!this.versions.has(streamId)) this.versions.set(streamId, stored.length > 0 ? stored[stored.length - 1].streamVersion : -1);
    });
    return records.sort((a, b) => a.position - b.position).map(storedEventOf);
  }

  append(appends: readonly StreamAppend[], options: SessionAppendOptions = {}): Promise<AppendResult> {
    return this.appendPrepared(this.store.prepare(appends), options);
  }

  async appendPrepared(prepared: PreparedAppend[], options: SessionAppendOptions): Promise<AppendResult> {
    const streamIds = [...new Set(prepared.map((append) => append.streamId))];
    const versions = await this.store.currentVersions(streamIds, this, options);
    const keys = prepared.flatMap((append) => append.events.map((event) => event.key));
    const existing = new Map<string, StoredContent>();
    for (const key of keys) if (this.pendingById.has(key)) existing.set(key, this.pendingById.get(key)!);
    if (!options.eventIdsChecked) {
      for (const record of await this.find(keys.filter((key) => !this.pendingById.has(key)))) existing.set(record.eventId, record);
    }
    const plan = planAppend(prepared, this.head, versions, existing, nextRecordedAt(this.store.clockNow(), this.head));
    for (const row of plan.rows) {
      this.rows.push(row);
      this.pendingById.set(row.eventId, row);
      this.versions.set(row.streamId, row.streamVersion);
    }
    this.head = plan.head;
    return plan.result;
  }
}

/** The lease ran out while this writer worked and another writer appended: nothing of this append was stored. */
export class LostAppendLock extends EventStoreError {
  constructor(log: string) {
    super(
      EventStoreErrorCode.WrongExpectedVersion,
      `another writer appended to ${log} while this one held the append lock (its lease ran out): nothing of this append was stored; retry it`,
      { streamId: log },
    );
  }
}

/** The audit trail's filter on one record (positions `after` are the caller's). */
export function matchesFilter(record: ChainRecord, filter: EventFilter): boolean {
  return (
    (filter.streamId === undefined || record.streamId === filter.streamId) &&
    (filter.type === undefined || record.type === filter.type) &&
    (filter.types === undefined || filter.types.includes(record.type)) &&
    (filter.toPosition === undefined || record.position <= filter.toPosition) &&
    (filter.occurredFrom === undefined || record.occurredKey >= filter.occurredFrom) &&
    (filter.occurredTo === undefined || record.occurredKey <= filter.occurredTo) &&
    (filter.recordedFrom === undefined || record.recordedAt >= filter.recordedFrom) &&
    (filter.recordedTo === undefined || record.recordedAt <= filter.recordedTo)
  );
}

/** Splits rows into log appends under the server's maximum append size (one row per part at least). */
export function partsOf(rows: readonly ChainRecord[], maxAppendSize: number): ChainRecord[][] {
  const budget = Math.floor(maxAppendSize * 0.9);
  const parts: ChainRecord[][] = [];
  let part: ChainRecord[] = [];
  let size = 0;
  for (const row of rows) {
    const bytes =
      Buffer.byteLength(row.dataText) + Buffer.byteLength(row.metadataText ?? '') + Buffer.byteLength(row.source) + RECORD_OVERHEAD_BYTES;
    if (part.length > 0 && size + bytes > budget) {
      parts.push(part);
      part = [];
      size = 0;
    }
    part.push(row);
    size += bytes;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

/** Runs `work` on every item, at most CONCURRENCY at a time; fails with the first failure. */
async function forEachLimit<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}

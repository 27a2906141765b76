/**
 * The event store port: an append-only log of facts in streams, with one global order.
 *
 * Positions are global, start at 1 and are contiguous: every append takes the store's append
 * lock, so positions are assigned, and become visible, strictly in order. A reader that polls
 * "after my last position" therefore never skips an event (see the adapters for how).
 * Stream versions are 0-based revisions within a stream.
 */
export type ExpectedVersion =
  /** no check */
  | 'any'
  /** the stream must not exist yet */
  | 'no_stream'
  /** the stream must have at least one event */
  | 'stream_exists'
  /** the stream's last event must have exactly this revision */
  | number;

export interface NewEvent {
  /** A UUID; compared case-insensitively; the idempotency key. */
  eventId: string;
  type: string;
  schemaVersion?: number;
  /** RFC 3339, as the producer wrote it. */
  occurredAt: string;
  source: string;
  data: Record<string, unknown>;
  /** Provenance that is not part of the fact (file and line, Kafka coordinates). */
  metadata?: Record<string, unknown>;
}

export interface StoredEvent {
  position: number;
  /** Lower-case. */
  eventId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  /** occurredAt as a fixed-width UTC instant key: string order is time order. */
  occurredKey: string;
  /** When the store accepted it (ISO 8601, UTC, milliseconds); never decreases along positions. */
  recordedAt: string;
  source: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown> | null;
  /** Hex SHA-256 chaining this event to its predecessor. */
  hash: string;
}

export interface StreamAppend {
  streamId: string;
  events: NewEvent[];
  expectedVersion?: ExpectedVersion;
}

export interface AppendedEvent {
  eventId: string;
  /** `duplicate`: the same eventId with the same content was already stored; nothing was written. */
  status: 'appended' | 'duplicate';
  position: number;
  streamId: string;
  streamVersion: number;
}

export interface AppendResult {
  /** One entry per event, in request order. */
  events: AppendedEvent[];
  /** The store's last position after the append. */
  headPosition: number;
}

export interface StoreHead {
  position: number;
  hash: string | null;
  recordedAt: string | null;
}

/** Filters of the audit trail; ranges are inclusive; times are instant keys / ISO strings. */
export interface EventFilter {
  streamId?: string;
  type?: string;
  /** Any of these types. */
  types?: readonly string[];
  /** Positions up to this one (ledger knowledge). */
  toPosition?: number;
  occurredFrom?: string;
  occurredTo?: string;
  recordedFrom?: string;
  recordedTo?: string;
}

/** A place in business order: events sort by (occurredKey, position). */
export interface BusinessCursor {
  occurredKey: string;
  position: number;
}

/** A page of events in business order, optionally cut by business time and by knowledge. */
export interface BusinessPage {
  /** Strictly after this place; none: from the start. */
  after?: BusinessCursor;
  /** occurredKey ≤ this instant key. */
  asOf?: string;
  /** Positions ≤ this one. */
  toPosition?: number;
  limit?: number;
}

export interface ReadPage {
  /** Positions strictly after this one (default 0: from the start). */
  after?: number;
  /** At most this many events (default 1000). */
  limit?: number;
}

/** A stored row exactly as the store holds it: what `verify` recomputes the chain from. */
export interface ChainRecord {
  position: number;
  eventId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  occurredKey: string;
  recordedAt: string;
  source: string;
  dataText: string;
  metadataText: string | null;
  hash: string;
  /**
   * Why the stored row cannot be what was appended although its values were read (a column of
   * another type: SQLite keeps whatever type an UPDATE writes), e.g. "event_id is an integer".
   */
  malformed?: string;
}

export interface SessionAppendOptions {
  /**
   * The caller looked every eventId of this append up in this same session (findEvents) and
   * found none: the store skips its own lookup. The unique index still refuses a duplicate.
   */
  eventIdsChecked?: boolean;
  /**
   * Stream versions the caller knows from this session (-1: the stream does not exist), so the
   * store need not ask. The unique (stream, version) index still refuses a wrong one.
   */
  knownVersions?: ReadonlyMap<string, number>;
}

/** Reads and appends made while holding the store's append lock, in one transaction. */
export interface AppendSession {
  readAll(page?: ReadPage): Promise<StoredEvent[]>;
  findEvents(eventIds: readonly string[]): Promise<StoredEvent[]>;
  /** Every event of these streams, in position order. */
  readStreams(streamIds: readonly string[]): Promise<StoredEvent[]>;
  append(appends: readonly StreamAppend[], options?: SessionAppendOptions): Promise<AppendResult>;
}

export interface Subscription {
  /** Stops polling; resolves once the handler is no longer running. */
  stop(): Promise<void>;
  /** Resolves when the subscription ends; rejects if the handler or the store failed. */
  readonly done: Promise<void>;
}

export interface SubscribeOptions {
  after: number;
  batchSize?: number;
  pollIntervalMs?: number;
}

export interface EventStore {
  /** `sqlite`, `postgres`, … */
  readonly kind: string;
  append(streamId: string, events: readonly NewEvent[], options?: { expectedVersion?: ExpectedVersion }): Promise<AppendResult>;
  /** Appends to several streams atomically: all or nothing. */
  appendMany(appends: readonly StreamAppend[]): Promise<AppendResult>;
  /**
   * Runs `work` holding the append lock, in one transaction: what it reads cannot change under it,
   * and what it appends commits together or not at all. How ingestion decides against current state
   * even with several writer processes.
   */
  withAppendLock<T>(work: (session: AppendSession) => Promise<T>): Promise<T>;
  readStream(streamId: string, options?: { fromVersion?: number; limit?: number }): Promise<StoredEvent[]>;
  readAll(page?: ReadPage): Promise<StoredEvent[]>;
  findEvents(eventIds: readonly string[]): Promise<StoredEvent[]>;
  queryEvents(filter: EventFilter, page?: ReadPage): Promise<StoredEvent[]>;
  /** Events in business order (occurredAt, ties by position): what views are computed from. */
  readBusinessOrder(page: BusinessPage): Promise<StoredEvent[]>;
  /** The last position recorded at or before `recordedAt` (an ISO time): ledger time as a position. */
  positionKnownAt(recordedAt: string): Promise<number>;
  head(): Promise<StoreHead>;
  subscribe(handler: (events: StoredEvent[]) => Promise<void> | void, options: SubscribeOptions): Subscription;
  readChainRecords(page?: ReadPage): Promise<ChainRecord[]>;
  close(): Promise<void>;
}

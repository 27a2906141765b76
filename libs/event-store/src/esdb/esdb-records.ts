import { randomUUID } from 'node:crypto';
import { EventStoreError, EventStoreErrorCode } from '../event-store.errors';
import type { ChainRecord } from '../event-store.port';
import type { EsdbExpectedRevision, EsdbPosition, EsdbProposedEvent, EsdbRecord } from './esdb-gateway';

/**
 * How capflow's log maps onto EventStoreDB.
 *
 * - `capflow-log` holds every fact, in order: the event at revision r has capflow position r + 1.
 *   It is only ever appended under the exact revision of its last event, so positions are
 *   contiguous and a gap can only mean tampering. Each fact is one JSON event: its ESDB event id
 *   is the fact's eventId, its type the fact's type, its data the fact's data, and its metadata
 *   (under "capflow") every other field capflow stores and hashes, the provenance as its exact text.
 * - `<kind>-<id>` (the stream names of DESIGN.md) hold links (`$>`) to the stream's facts in the
 *   log, under exact revisions: stream version v is the link at revision v.
 * - `capflow-id-<eventId>` holds a link to the log event of that eventId: the dedup index.
 * - `capflow-lock` (the append lock's lease) and `capflow-schema` are housekeeping.
 * With a namespace every name gets the prefix `<namespace>.`.
 */
export class EsdbStreams {
  readonly prefix: string;
  readonly log: string;
  readonly lock: string;
  readonly schema: string;

  constructor(namespace = '') {
    this.prefix = namespace ? `${namespace}.` : '';
    this.log = `${this.prefix}capflow-log`;
    this.lock = `${this.prefix}capflow-lock`;
    this.schema = `${this.prefix}capflow-schema`;
  }

  /** The stream holding the links of a capflow stream. */
  entity(streamId: string): string {
    return `${this.prefix}${streamId}`;
  }

  /** The dedup index stream of a (lower-case) eventId. */
  eventId(eventId: string): string {
    return `${this.prefix}capflow-id-${eventId}`;
  }

  /** The server-side filter of $all reads and subscriptions: capflow's log and nothing else (no system events, no links). */
  get logFilter(): string {
    return `^${this.log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  }
}

/**
 * Stream ids EventStoreDB or the adapter would read differently: system streams start with `$`,
 * and `capflow-…` names are the adapter's own. capflow's deciders never produce either.
 */
export function assertStorableStreamId(streamId: string): void {
  if (streamId.startsWith('$') || streamId.startsWith('capflow-')) {
    throw new EventStoreError(
      EventStoreErrorCode.InvalidEvent,
      `stream id ${JSON.stringify(streamId)} is reserved on EventStoreDB ($… are system streams, capflow-… the adapter's own)`,
    );
  }
}

/** The fields of a stored fact that are not its data, as the log event's metadata holds them. */
interface LogMetadata {
  position: number;
  streamId: string;
  streamVersion: number;
  schemaVersion: number;
  occurredAt: string;
  occurredKey: string;
  recordedAt: string;
  source: string;
  /** The provenance exactly as hashed (JSON text), or null. */
  metadata: string | null;
  hash: string;
}

export const LOG_METADATA_KEY = 'capflow';

/** A planned row → the event appended to capflow-log (JSON content, so other EventStoreDB tools can read it). */
export function logEventOf(row: ChainRecord): EsdbProposedEvent {
  const meta: LogMetadata = {
    position: row.position,
    streamId: row.streamId,
    streamVersion: row.streamVersion,
    schemaVersion: row.schemaVersion,
    occurredAt: row.occurredAt,
    occurredKey: row.occurredKey,
    recordedAt: row.recordedAt,
    source: row.source,
    metadata: row.metadataText,
    hash: row.hash,
  };
  // dataText is JSON.stringify of the producer's object, so JSON.stringify(JSON.parse(dataText)),
  // which the client sends and chainRecordOfLogEvent recomputes, gives back the same text.
  return { kind: 'json', id: row.eventId, type: row.type, data: JSON.parse(row.dataText), metadata: { [LOG_METADATA_KEY]: meta } };
}

/**
 * A log event read back → the stored row `verify` checks. The position is the revision + 1 (the
 * place EventStoreDB keeps it at, not what its metadata claims: the hash covers the position, so
 * an event copied elsewhere does not verify). A record that is not capflow's is corrupt.
 */
export function chainRecordOfLogEvent(event: EsdbRecord): ChainRecord {
  const position = Number(event.revision) + 1;
  const meta = (event.metadata as Record<string, unknown> | undefined)?.[LOG_METADATA_KEY] as Partial<LogMetadata> | undefined;
  const text = (value: unknown) => typeof value === 'string';
  const whole = (value: unknown) => Number.isSafeInteger(value);
  if (
    !meta ||
    typeof meta !== 'object' ||
    !text(meta.streamId) ||
    !whole(meta.streamVersion) ||
    !whole(meta.schemaVersion) ||
    !text(meta.occurredAt) ||
    !text(meta.occurredKey) ||
    !text(meta.recordedAt) ||
    !text(meta.source) ||
    !(meta.metadata === null || text(meta.metadata)) ||
    !text(meta.hash)
  ) {
    throw new EventStoreError(
      EventStoreErrorCode.CorruptEvent,
      `the event at revision ${event.revision} of ${event.streamId} is not a capflow record (position ${position}): run verify`,
      { position },
    );
  }
  const dataText = event.isJson ? JSON.stringify(event.data) : Buffer.from(event.data as Uint8Array).toString('utf8');
  return {
    position,
    eventId: event.id.toLowerCase(),
    streamId: meta.streamId!,
    streamVersion: meta.streamVersion!,
    type: event.type,
    schemaVersion: meta.schemaVersion!,
    occurredAt: meta.occurredAt!,
    occurredKey: meta.occurredKey!,
    recordedAt: meta.recordedAt!,
    source: meta.source!,
    dataText: dataText ?? 'null',
    metadataText: meta.metadata ?? null,
    hash: meta.hash!,
  };
}

/** A link to the log event of `position`: what entity streams and the dedup index hold. */
export function linkTo(streams: EsdbStreams, position: number): EsdbProposedEvent {
  return { kind: 'link', id: randomUUID(), targetStream: streams.log, targetRevision: BigInt(position - 1) };
}

/** The log revision of a capflow position. */
export const revisionOf = (position: number): bigint => BigInt(position - 1);

/**
 * The expected revision of an append that must land right after `version` (a capflow stream
 * version or a log position − 1; -1: nothing there yet). Every append the adapter makes to
 * capflow's streams is exact like this; `any` is never used, so EventStoreDB's own duplicate
 * check (a best-effort cache) is never what keeps a fact from being stored twice.
 */
export function expectedRevisionAfter(version: number): EsdbExpectedRevision {
  if (!Number.isSafeInteger(version) || version < -1) throw new RangeError(`no stream version ${version}`);
  return version === -1 ? 'no_stream' : BigInt(version);
}

/** A revision the server reported (-1: no stream) as a capflow stream version. */
export function versionOfRevision(revision: bigint): number {
  return revision < 0n ? -1 : Number(revision);
}

/**
 * Where a catch-up subscription stands: the last capflow position it delivered, and the $all
 * position it resumes from — EventStoreDB's commit and prepare positions, both needed to resume
 * a $all subscription exactly. Written `position@commit/prepare`.
 */
export interface EsdbCheckpoint {
  position: number;
  commit: bigint;
  prepare: bigint;
}

export function formatCheckpoint(checkpoint: EsdbCheckpoint): string {
  return `${checkpoint.position}@${checkpoint.commit}/${checkpoint.prepare}`;
}

export function parseCheckpoint(text: string): EsdbCheckpoint {
  const match = /^(\d+)@(\d+)\/(\d+)$/.exec(text);
  if (!match || !Number.isSafeInteger(Number(match[1]))) {
    throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `${JSON.stringify(text)} is not a checkpoint (position@commit/prepare)`);
  }
  const checkpoint = { position: Number(match[1]), commit: BigInt(match[2]), prepare: BigInt(match[3]) };
  if (checkpoint.prepare > checkpoint.commit) {
    throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `checkpoint ${text}: a prepare position is never after its commit position`);
  }
  return checkpoint;
}

/** The $all position to resume from, as the client wants it. */
export function esdbPositionOf(checkpoint: EsdbCheckpoint): EsdbPosition | 'start' {
  return checkpoint.position === 0 ? 'start' : { commit: checkpoint.commit, prepare: checkpoint.prepare };
}

/** The schema marker: bumped when the layout above changes. */
export const ESDB_SCHEMA_VERSION = 1;
export const SCHEMA_EVENT_TYPE = 'capflow.schema';

export function schemaVersionOf(event: EsdbRecord | undefined): number {
  if (!event) return 0;
  const version = (event.data as { version?: unknown } | null)?.version;
  if (!Number.isSafeInteger(version)) {
    throw new EventStoreError(EventStoreErrorCode.CorruptEvent, `the schema marker ${event.streamId} is not readable`);
  }
  return version as number;
}

import { canonicalJson, EVENT_ID_PATTERN, eventKey, instantKey, parseRfc3339 } from '@capflow/contracts';
import { EventStoreError, EventStoreErrorCode } from './event-store.errors';
import type { AppendedEvent, AppendResult, ChainRecord, ExpectedVersion, StoreHead, StreamAppend } from './event-store.port';
import { chainHash, GENESIS_HASH } from './hash-chain';

/** An event ready to store: its key and the exact texts that will be stored and hashed. */
interface PreparedEvent {
  key: string;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  occurredKey: string;
  source: string;
  dataText: string;
  metadataText: string | null;
}

export interface PreparedAppend {
  streamId: string;
  expectedVersion: ExpectedVersion;
  events: PreparedEvent[];
}

/** What a stored row must match for an incoming event to be its duplicate. */
export type StoredContent = Pick<ChainRecord, 'position' | 'streamId' | 'streamVersion' | 'type' | 'occurredKey' | 'source' | 'dataText'>;

export interface AppendPlan {
  rows: ChainRecord[];
  result: AppendResult;
  head: StoreHead;
}

/** Validates and serialises what an append asks to store; throws invalid_event on what it cannot store. */
export function prepareAppends(appends: readonly StreamAppend[]): PreparedAppend[] {
  return appends.map(({ streamId, events, expectedVersion = 'any' }) => {
    if (!storableText(streamId) || streamId.length > 300) {
      throw new EventStoreError(EventStoreErrorCode.InvalidEvent, 'a stream id must be 1 to 300 characters');
    }
    if (!(expectedVersion === 'any' || expectedVersion === 'no_stream' || expectedVersion === 'stream_exists' ||
      (Number.isSafeInteger(expectedVersion) && expectedVersion >= 0))) {
      throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `expected version ${String(expectedVersion)} is not valid`);
    }
    return {
      streamId,
      expectedVersion,
      events: events.map((event) => {
        if (!storableText(event.type) || !storableText(event.source)) {
          throw new EventStoreError(EventStoreErrorCode.InvalidEvent, 'type and source must be non-empty text without NUL');
        }
        if (!EVENT_ID_PATTERN.test(event.eventId)) {
          throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `eventId ${JSON.stringify(event.eventId)} is not a UUID`);
        }
        let occurredKey: string;
        try {
          occurredKey = instantKey(event.occurredAt);
        } catch {
          const problem = parseRfc3339(event.occurredAt) as string;
          throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `occurredAt ${JSON.stringify(event.occurredAt)} ${problem}`);
        }
        return {
          key: eventKey(event.eventId),
          type: event.type,
          schemaVersion: event.schemaVersion ?? 1,
          occurredAt: event.occurredAt,
          occurredKey,
          source: event.source,
          // Stored as written (JSON.stringify keeps the producer's key order): the hash covers these
          // exact bytes, and content comparisons canonicalise, so no work is spent on every append.
          dataText: JSON.stringify(event.data),
          metadataText: event.metadata === undefined ? null : JSON.stringify(event.metadata),
        };
      }),
    };
  });
}

/** PostgreSQL text cannot hold NUL; refusing it here keeps every adapter alike. */
function storableText(text: unknown): boolean {
  return typeof text === 'string' && text.length > 0 && !text.includes('\u0000');
}

export function eventKeysOf(prepared: readonly PreparedAppend[]): string[] {
  return prepared.flatMap((append) => append.events.map((event) => event.key));
}

export function streamIdsOf(prepared: readonly PreparedAppend[]): string[] {
  return [...new Set(prepared.map((append) => append.streamId))];
}

/** The contract's content: type, occurredAt as an instant, source, and data as a JSON value. */
function sameContent(event: PreparedEvent, stored: Pick<StoredContent, 'type' | 'occurredKey' | 'source' | 'dataText'>): boolean {
  return (
    event.type === stored.type &&
    event.occurredKey === stored.occurredKey &&
    event.source === stored.source &&
    (event.dataText === stored.dataText || canonicalJson(JSON.parse(event.dataText)) === canonicalJson(JSON.parse(stored.dataText)))
  );
}

function expectationHolds(expected: ExpectedVersion, current: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === -1;
  if (expected === 'stream_exists') return current >= 0;
  return current === expected;
}

/**
 * Decides what an append writes, given what the store holds under the append lock: duplicates
 * (same eventId, same content) are reported and skipped, other content under a known eventId is
 * event_id_conflict, expected versions are checked, and new rows get their position, stream
 * version, recordedAt and chained hash. Nothing is written if anything fails.
 */
export function planAppend(
  prepared: readonly PreparedAppend[],
  head: StoreHead,
  currentVersions: ReadonlyMap<string, number>,
  existing: ReadonlyMap<string, StoredContent>,
  recordedAt: string,
): AppendPlan {
  const planner = new AppendPlanner(head, currentVersions, existing, recordedAt);
  const rows = planner.plan(prepared);
  return { rows, ...planner.outcome() };
}

/**
 * planAppend in parts: one append's stream appends planned a slice at a time, in order, with the
 * same answers as planAppend of them all (positions, versions and the hash chain run on across
 * slices), so a store can write a slice's rows while the next is planned. If a slice throws, the
 * append fails as a whole: the caller writes nothing of it (it rolls back what it wrote).
 */
export class AppendPlanner {
  private readonly versions: Map<string, number>;
  private readonly pending = new Map<string, { event: PreparedEvent; outcome: AppendedEvent }>();
  private readonly events: AppendedEvent[] = [];
  private position: number;
  private hash: string;

  constructor(
    private readonly head: StoreHead,
    currentVersions: ReadonlyMap<string, number>,
    private readonly existing: ReadonlyMap<string, StoredContent>,
    private readonly recordedAt: string,
  ) {
    this.versions = new Map(currentVersions);
    this.position = head.position;
    this.hash = head.hash ?? GENESIS_HASH;
  }

  /** The new rows of the next stream appends; throws event_id_conflict or wrong_expected_version. */
  plan(prepared: readonly PreparedAppend[]): ChainRecord[] {
    const rows: ChainRecord[] = [];
    for (const append of prepared) {
      const current = this.versions.get(append.streamId) ?? -1;
      let streamVersion = current;
      let checked = false;
      for (const event of append.events) {
        const stored = this.existing.get(event.key);
        const earlier = this.pending.get(event.key);
        if (stored || earlier) {
          if (!sameContent(event, stored ?? earlier!.event)) {
            throw new EventStoreError(
              EventStoreErrorCode.EventIdConflict,
              `event ${event.key} is already stored with other content`,
              { eventId: event.key },
            );
          }
          this.events.push(
            stored
              ? { eventId: event.key, status: 'duplicate', position: stored.position, streamId: stored.streamId, streamVersion: stored.streamVersion }
              : { ...earlier!.outcome, status: 'duplicate' },
          );
          continue;
        }
        // Checked at the first new event: a retried append whose events are all stored is a no-op.
        if (!checked && !expectationHolds(append.expectedVersion, current)) {
          throw new EventStoreError(
            EventStoreErrorCode.WrongExpectedVersion,
            `stream ${append.streamId} is at version ${current}, not ${String(append.expectedVersion)}`,
            { streamId: append.streamId, expectedVersion: append.expectedVersion, currentVersion: current },
          );
        }
        checked = true;
        this.position += 1;
        streamVersion += 1;
        const row: ChainRecord = {
          position: this.position,
          eventId: event.key,
          streamId: append.streamId,
          streamVersion,
          type: event.type,
          schemaVersion: event.schemaVersion,
          occurredAt: event.occurredAt,
          occurredKey: event.occurredKey,
          recordedAt: this.recordedAt,
          source: event.source,
          dataText: event.dataText,
          metadataText: event.metadataText,
          hash: '',
        };
        row.hash = this.hash = chainHash(this.hash, row); // the hash covers neither occurredKey nor itself
        rows.push(row);
        const outcome: AppendedEvent = { eventId: event.key, status: 'appended', position: this.position, streamId: append.streamId, streamVersion };
        this.pending.set(event.key, { event, outcome });
        this.events.push(outcome);
      }
      this.versions.set(append.streamId, streamVersion);
    }
    return rows;
  }

  /** The outcome of everything planned so far, and the head once it is written. */
  outcome(): Omit<AppendPlan, 'rows'> {
    const head = this.position > this.head.position ? { position: this.position, hash: this.hash, recordedAt: this.recordedAt } : this.head;
    return { result: { events: this.events, headPosition: head.position }, head };
  }

  /** Each stream's version once everything planned so far is written. */
  streamVersions(): ReadonlyMap<string, number> {
    return this.versions;
  }
}

/** Stream appends in consecutive slices of about `events` events each (an append is never split). */
export function slicesOf(prepared: readonly PreparedAppend[], events: number): PreparedAppend[][] {
  const slices: PreparedAppend[][] = [];
  let slice: PreparedAppend[] = [];
  let count = 0;
  for (const append of prepared) {
    slice.push(append);
    count += append.events.length;
    if (count >= events) {
      slices.push(slice);
      slice = [];
      count = 0;
    }
  }
  if (slice.length > 0) slices.push(slice);
  return slices;
}

/**
 * recordedAt grows with every append, even if the clock steps back or two appends fall in one
 * millisecond: each append is one ledger time, so facts recorded together are known together and
 * facts recorded apart never are (restatements are per append, see LiveLedger).
 */
export function nextRecordedAt(now: Date, head: StoreHead): string {
  if (head.recordedAt === null) return now.toISOString();
  const last = Date.parse(head.recordedAt);
  return new Date(Math.max(now.getTime(), last + 1)).toISOString();
}

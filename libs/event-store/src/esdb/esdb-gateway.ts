/**
 * What the EventStoreDB adapter needs of a server, in capflow's own terms: append under an
 * expected revision, read a stream (forwards or backwards, resolving links), subscribe to $all
 * with a stream-name filter. `EsdbClientGateway` implements it with @eventstore/db-client; the
 * tests run the adapter over an in-memory implementation as well (`@capflow/event-store/testing`).
 *
 * Every method throws either an `EsdbConflict` (a wrong expected revision, which the adapter
 * handles) or an `EventStoreError` (see esdb-errors.ts), never a client-specific error.
 */

/** A place in EventStoreDB's transaction log ($all): both numbers, as the server gives them. */
export interface EsdbPosition {
  commit: bigint;
  prepare: bigint;
}

/** any · no_stream · stream_exists · the exact revision of the stream's last event. */
export type EsdbExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

/** An event to append: JSON data (content type application/json) or a link (`$>`, "revision@stream"). */
export type EsdbProposedEvent =
  | { kind: 'json'; id: string; type: string; data: unknown; metadata?: Record<string, unknown> }
  | { kind: 'link'; id: string; targetStream: string; targetRevision: bigint };

/** A recorded event as read back. `data` of a JSON event is the parsed JSON; of another, its bytes. */
export interface EsdbRecord {
  streamId: string;
  revision: bigint;
  id: string;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  /** Its $all position (servers from 22.6 give it on stream reads too). */
  position?: EsdbPosition;
}

/** A read result: the event, or for a link, the event it points to (absent if that is gone) and the link. */
export interface EsdbResolved {
  event?: EsdbRecord;
  link?: EsdbRecord;
}

export interface EsdbReadOptions {
  /** A revision (inclusive), or the start / end of the stream; default the start. */
  from?: bigint | 'start' | 'end';
  /** At most this many events; default all. */
  count?: number;
  backwards?: boolean;
  resolveLinks?: boolean;
}

export interface EsdbAppendOutcome {
  /** The stream's revision after the append. */
  nextRevision: bigint;
  position?: EsdbPosition;
}

/** What a catch-up subscription to $all yields: events that pass the filter, and checkpoints in between. */
export type EsdbSubscriptionItem = { kind: 'event'; event: EsdbRecord } | { kind: 'checkpoint'; position: EsdbPosition };

export interface EsdbAllSubscription extends AsyncIterable<EsdbSubscriptionItem> {
  /** Items received and not yet taken: 0 means the subscriber has everything the server sent so far. */
  buffered(): number;
  close(): Promise<void>;
}

export interface EsdbSubscribeOptions {
  /** Exclusive: the subscription starts after this position. */
  from: EsdbPosition | 'start';
  /** Server-side filter on stream names. */
  streamNameRegex: string;
  /** A checkpoint every this many (× the server's search window) filtered-out events. */
  checkpointInterval?: number;
}

export interface EsdbGateway {
  /** `host:port` as users named it, for messages. */
  readonly target: string;
  append(stream: string, events: readonly EsdbProposedEvent[], expected: EsdbExpectedRevision): Promise<EsdbAppendOutcome>;
  /** A stream that does not exist reads as empty. */
  read(stream: string, options?: EsdbReadOptions): Promise<EsdbResolved[]>;
  subscribeToAll(options: EsdbSubscribeOptions): EsdbAllSubscription;
  /** Sets $maxCount on a stream: old events of housekeeping streams may be scavenged. */
  limitStreamLength(stream: string, maxCount: number): Promise<void>;
  close(): Promise<void>;
}

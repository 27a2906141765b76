import { EventStoreError, EventStoreErrorCode } from '../event-store.errors';

/**
 * EventStoreDB refused an append because the stream was not at the expected revision.
 * The adapter expects these (the append lock, the links, the eventId reservations are all
 * appended under exact revisions) and decides what each one means; `actual` is -1 for no stream.
 */
export class EsdbConflict extends Error {
  constructor(
    readonly stream: string,
    readonly actual: bigint,
  ) {
    super(`stream ${stream} is at revision ${actual === -1n ? 'none (no stream)' : String(actual)}`);
    this.name = 'EsdbConflict';
  }
}

/** gRPC status codes the client passes through when it does not convert an error. */
const GRPC = { CANCELLED: 1, UNKNOWN: 2, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, PERMISSION_DENIED: 7, UNIMPLEMENTED: 12, UNAVAILABLE: 14, UNAUTHENTICATED: 16 };

interface ClientErrorShape {
  /** @eventstore/db-client's ErrorType, e.g. 'wrong-expected-version', 'unavailable'. */
  type?: string;
  /** The gRPC status code. */
  code?: number | string;
  message?: string;
  streamName?: string;
  actualVersion?: bigint | string;
  maxAppendSize?: number;
}

/**
 * Translates whatever the client threw into an `EsdbConflict` or an `EventStoreError` with a
 * message a person can act on. `target` is the server (`host:port`), `operation` what capflow
 * was doing. Recognises the client's error classes by their `type` and raw gRPC errors by code,
 * so this file needs no import of the client.
 */
export function translateEsdbError(error: unknown, target: string, operation: string): Error {
  if (error instanceof EventStoreError || error instanceof EsdbConflict) return error;
  const e = (error ?? {}) as ClientErrorShape;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.code === 'number' ? e.code : undefined;
  const unavailable = (text: string) => new EventStoreError(EventStoreErrorCode.StoreUnavailable, text, { target, operation });

  if (e.type === 'wrong-expected-version') {
    const actual = typeof e.actualVersion === 'bigint' ? e.actualVersion : -1n;
    return new EsdbConflict(e.streamName ?? '?', actual);
  }
  if (e.type === 'deadline-exceeded' || e.type === 'timeout' || code === GRPC.DEADLINE_EXCEEDED) {
    return unavailable(`EventStoreDB at ${target} did not answer in time (${operation})`);
  }
  if (e.type === 'access-denied' || code === GRPC.PERMISSION_DENIED || code === GRPC.UNAUTHENTICATED) {
    return unavailable(
      `EventStoreDB at ${target} refused access (${operation}): check the user and password in the store URL, and the ACLs of capflow's streams`,
    );
  }
  if (e.type === 'maximum-append-size-exceeded') {
    return new EventStoreError(
      EventStoreErrorCode.InvalidEvent,
      `an append exceeded EventStoreDB's maximum append size${e.maxAppendSize ? ` (${e.maxAppendSize} bytes)` : ''}: ` +
        "lower maxAppendSize= in the store URL to the server's --max-append-size",
      { target, operation },
    );
  }
  if (e.type === 'stream-deleted') {
    return new EventStoreError(
      EventStoreErrorCode.CorruptEvent,
      `stream ${e.streamName ?? ''} was deleted in EventStoreDB (${operation}): capflow's log cannot be trusted; run verify`,
      { target, operation },
    );
  }
  if (e.type === 'not-leader') {
    return unavailable(`EventStoreDB at ${target} is not the cluster's leader (${operation}): retry, or use esdb+discover:// with nodePreference=leader`);
  }
  if (code === GRPC.UNIMPLEMENTED || /HTTP status code \d+|Protocol error|Received RST_STREAM/i.test(message)) {
    return unavailable(
      `${target} does not answer as EventStoreDB (${operation}): check the host and port, and tls= (tls=false for an insecure node)`,
    );
  }
  if (e.type === 'unavailable' || e.type === 'cancelled' || code === GRPC.UNAVAILABLE || code === GRPC.CANCELLED || isSocketError(message)) {
    return unavailable(`cannot reach EventStoreDB at ${target} (${operation}): ${socketCause(message)}`);
  }
  return unavailable(`EventStoreDB at ${target} failed (${operation}): ${message}`);
}

function isSocketError(message: string): boolean {
  return /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|No connection established|Name resolution failed/i.test(message);
}

/** The part of a gRPC message that says why, in plain words where we know them. */
function socketCause(message: string): string {
  if (/ECONNREFUSED/.test(message)) return 'connection refused: is it running, and on this port?';
  if (/ENOTFOUND|EAI_AGAIN|Name resolution failed/i.test(message)) return 'the host name does not resolve';
  if (/ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/.test(message)) return 'the host does not answer';
  if (/ECONNRESET/.test(message)) return 'the connection was reset';
  if (/SSL|TLS|certificate|handshake/i.test(message)) return `TLS failed (tls=false for an insecure node): ${message}`;
  return message.replace(/^\d+ [A-Z_]+: /, '');
}

/** A timeout of capflow's own around a call the client does not bound (reads have no deadline). */
export function timedOut(target: string, operation: string, ms: number): EventStoreError {
  return new EventStoreError(
    EventStoreErrorCode.StoreUnavailable,
    `EventStoreDB at ${target} did not answer within ${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s (${operation}): is it running, and is this its gRPC port?`,
    { target, operation },
  );
}

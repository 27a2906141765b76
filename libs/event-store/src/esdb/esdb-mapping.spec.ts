// The EventStoreDB adapter's mapping, without a server: fact ↔ EventStoreDB record, stream names
// and the $all filter, expected revisions, positions and checkpoints, URLs, error translation.
import {
  AccessDeniedError,
  convertToCommandError,
  DeadlineExceededError,
  EventStoreDBClient,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { EventStoreError, EventStoreErrorCode } from '../event-store.errors';
import type { ChainRecord } from '../event-store.port';
import { chainHash, GENESIS_HASH } from '../hash-chain';
import { parseStoreUrl, redactStoreUrl } from '../open-event-store';
import { BusinessOrderIndex, runsOf } from './business-order-index';
import { eventDataOf, recordOf } from './esdb-client-gateway';
import { EsdbConflict, timedOut, translateEsdbError } from './esdb-errors';
import { matchesFilter, partsOf } from './esdb-event-store';
import type { EsdbRecord } from './esdb-gateway';
import {
  assertStorableStreamId,
  chainRecordOfLogEvent,
  EsdbStreams,
  esdbPositionOf,
  expectedRevisionAfter,
  formatCheckpoint,
  linkTo,
  logEventOf,
  parseCheckpoint,
  revisionOf,
  versionOfRevision,
} from './esdb-records';
import { DEFAULT_ESDB_READ_MODELS, parseEsdbUrl } from './esdb-url';

/** A row as planAppend makes it, hashed as every adapter hashes. */
function row(overrides: Partial<ChainRecord> = {}): ChainRecord {
  const fields = {
    position: 7,
    eventId: '0b6f4f8e-8a43-4d6b-9f2f-3f9d2b7c1a10',
    streamId: 'invoice-INV-1',
    streamVersion: 2,
    type: 'UsageBilled',
    schemaVersion: 1,
    occurredAt: '2025-11-06T10:00:00.5+01:00',
    occurredKey: '2025-11-06T09:00:00.500000000Z',
    recordedAt: '2026-01-01T00:00:00.000Z',
    source: 'aws-billing "quoted" \\ ünïcödé',
    dataText: JSON.stringify({ z: 'last', 10: 'ten', 2: 'two', a: { amount: '1.10', text: 'tab\there \u0001 😀 \ud800' }, list: [1, 2.5, -0, 1e21] }),
    metadataText: '{"import":{"file":"x.ndjson","line":3}}',
    ...overrides,
  };
  return { ...fields, hash: chainHash(GENESIS_HASH, fields) };
}

/** What the client sends for an event and what it hands back when the event is read: JSON text both ways. */
function throughTheWire(proposed: ReturnType<typeof logEventOf>, revision: bigint, streamId = 'capflow-log'): EsdbRecord {
  const sent = eventDataOf(proposed);
  const dataBytes = sent.contentType === 'application/json' ? JSON.stringify(sent.data) : Buffer.from(sent.data as Uint8Array).toString('utf8');
  const metadataBytes = JSON.stringify(sent.metadata);
  return {
    streamId,
    revision,
    id: sent.id.toUpperCase(), // the server may give ids back in any case
    type: sent.type,
    isJson: sent.contentType === 'application/json',
    data: JSON.parse(dataBytes),
    metadata: JSON.parse(metadataBytes),
    position: { commit: 5000n, prepare: 4990n },
  };
}

describe('a fact as an EventStoreDB record', () => {
  it('is one JSON event of capflow-log: id = eventId, type = type, data = data, everything else in metadata', () => {
    const original = row();
    const sent = eventDataOf(logEventOf(original));
    expect(sent).toMatchObject({ id: original.eventId, type: 'UsageBilled', contentType: 'application/json' });
    expect(JSON.stringify(sent.data)).toBe(original.dataText); // the bytes the client sends are the bytes hashed
    expect(sent.metadata).toEqual({
      capflow: {
        position: 7,
        streamId: 'invoice-INV-1',
        streamVersion: 2,
        schemaVersion: 1,
        occurredAt: original.occurredAt,
        occurredKey: original.occurredKey,
        recordedAt: original.recordedAt,
        source: original.source,
        metadata: original.metadataText,
        hash: original.hash,
      },
    });
  });

  it('reads back exactly as stored, so the hash chain recomputes', () => {
    for (const original of [row(), row({ metadataText: null }), row({ dataText: '{}', metadataText: '{ "spaced" : true }' })]) {
      const back = chainRecordOfLogEvent(throughTheWire(logEventOf(original), BigInt(original.position - 1)));
      expect(back).toEqual(original);
      expect(chainHash(GENESIS_HASH, back)).toBe(original.hash);
    }
  });

  it('takes its position from its revision in the log, not from what its metadata claims', () => {
    const original = row({ position: 7 });
    const moved = chainRecordOfLogEvent(throughTheWire(logEventOf(original), 9n));
    expect(moved.position).toBe(10);
    expect(chainHash(GENESIS_HASH, moved)).not.toBe(original.hash); // so a copied or moved event does not verify
  });

  it('refuses a log event that is not a capflow record: corrupt_event', () => {
    const stranger: EsdbRecord = { streamId: 'capflow-log', revision: 3n, id: 'x', type: 'Hello', isJson: true, data: {}, metadata: { other: 1 } };
    expect(() => chainRecordOfLogEvent(stranger)).toThrow(expect.objectContaining({ code: EventStoreErrorCode.CorruptEvent, details: { position: 4 } }));
    const half = throughTheWire(logEventOf(row()), 6n);
    delete ((half.metadata as { capflow: Record<string, unknown> }).capflow).hash;
    expect(() => chainRecordOfLogEvent(half)).toThrow(EventStoreError);
  });

  it('is linked from its stream and its dedup index by `$>` events pointing at its log revision', () => {
    const streams = new EsdbStreams('');
    const link = linkTo(streams, 7);
    expect(link).toMatchObject({ kind: 'link', targetStream: 'capflow-log', targetRevision: 6n });
    const sent = eventDataOf(link);
    expect(sent).toMatchObject({ type: '$>', contentType: 'application/octet-stream' });
    expect(Buffer.from(sent.data as Uint8Array).toString('utf8')).toBe('6@capflow-log');
  });

  it("maps the client's recorded events field by field", () => {
    const recorded = {
      streamId: 's',
      id: 'id',
      revision: 4n,
      type: 't',
      isJson: true as const,
      data: { a: 1 },
      metadata: undefined,
      created: new Date(0),
      position: { commit: 10n, prepare: 9n },
    };
    expect(recordOf(recorded)).toEqual({ streamId: 's', id: 'id', revision: 4n, type: 't', isJson: true, data: { a: 1 }, metadata: undefined, position: { commit: 10n, prepare: 9n } });
    expect(recordOf(undefined)).toBeUndefined();
  });
});

describe('stream names', () => {
  it('keeps capflow stream names as they are, and prefixes everything with a namespace', () => {
    const plain = new EsdbStreams('');
    expect([plain.log, plain.lock, plain.schema, plain.entity('party-openai'), plain.eventId('abc')]).toEqual([
      'capflow-log',
      'capflow-lock',
      'capflow-schema',
      'party-openai',
      'capflow-id-abc',
    ]);
    const acme = new EsdbStreams('acme');
    expect([acme.log, acme.entity('invoice-INV-1'), acme.eventId('abc')]).toEqual(['acme.capflow-log', 'acme.invoice-INV-1', 'acme.capflow-id-abc']);
  });

  it('filters $all to the log stream alone: no system events, no links, no other namespace', () => {
    const filter = new RegExp(new EsdbStreams('acme').logFilter);
    expect(filter.test('acme.capflow-log')).toBe(true);
    for (const other of ['capflow-log', 'acmeXcapflow-log', 'acme.capflow-log2', 'acme.party-openai', '$stats-127.0.0.1:2113', '$et-PaymentMade', '$$acme.capflow-log']) {
      expect(filter.test(other)).toBe(false);
    }
    expect(new RegExp(new EsdbStreams('').logFilter).test('capflow-log')).toBe(true);
  });

  it('refuses stream ids EventStoreDB or the adapter reserve', () => {
    for (const reserved of ['$all', '$ce-party', 'capflow-log', 'capflow-id-x']) {
      expect(() => assertStorableStreamId(reserved)).toThrow(expect.objectContaining({ code: EventStoreErrorCode.InvalidEvent }));
    }
    expect(() => assertStorableStreamId('party-capflow-log')).not.toThrow();
  });
});

describe('expected revisions', () => {
  it('appends right after a version: -1 is no_stream, n is exactly revision n (never any)', () => {
    expect(expectedRevisionAfter(-1)).toBe('no_stream');
    expect(expectedRevisionAfter(0)).toBe(0n);
    expect(expectedRevisionAfter(41)).toBe(41n);
    expect(() => expectedRevisionAfter(-2)).toThrow(RangeError);
    expect(() => expectedRevisionAfter(1.5)).toThrow(RangeError);
  });

  it('reads a reported revision back as a stream version', () => {
    expect(versionOfRevision(-1n)).toBe(-1);
    expect(versionOfRevision(0n)).toBe(0);
    expect(versionOfRevision(12n)).toBe(12);
  });

  it('places position p at log revision p − 1', () => {
    expect(revisionOf(1)).toBe(0n);
    expect(revisionOf(1_000_000)).toBe(999_999n);
  });
});

describe('checkpoints', () => {
  it('hold the capflow position with the commit and prepare positions of $all, as text and back', () => {
    const checkpoint = { position: 42, commit: 123456789012345n, prepare: 123456789012300n };
    expect(formatCheckpoint(checkpoint)).toBe('42@123456789012345/123456789012300');
    expect(parseCheckpoint(formatCheckpoint(checkpoint))).toEqual(checkpoint);
  });

  it('refuse what is not one', () => {
    for (const text of ['', '42', '42@1', '42@1/2/3', 'x@1/2', '-1@1/1', '1@2/3']) {
      expect(() => parseCheckpoint(text)).toThrow(EventStoreError);
    }
  });

  it('resume $all from the start before the first event, else from both positions', () => {
    expect(esdbPositionOf({ position: 0, commit: 0n, prepare: 0n })).toBe('start');
    expect(esdbPositionOf({ position: 3, commit: 30n, prepare: 27n })).toEqual({ commit: 30n, prepare: 27n });
  });
});

describe('esdb:// URLs', () => {
  it('split capflow parameters from the connection string the client gets', () => {
    const settings = parseEsdbUrl(
      'esdb://admin:changeit@db1:2113,db2?tls=false&readModels=postgres%3A%2F%2Fcapflow%40pg%3A5432%2Fcapflow%3Fschema%3Drm&namespace=acme&keepAliveTimeout=10000&connect_timeout=1500',
    );
    expect(settings).toEqual({
      connectionString: 'esdb://admin:changeit@db1:2113,db2?tls=false&keepAliveTimeout=10000',
      target: 'db1:2113,db2:2113',
      redacted: 'esdb://admin:***@db1:2113,db2?tls=false&readModels=postgres%3A%2F%2Fcapflow%40pg%3A5432%2Fcapflow%3Fschema%3Drm&namespace=acme&keepAliveTimeout=10000&connect_timeout=1500',
      namespace: 'acme',
      readModels: 'postgres://capflow@pg:5432/capflow?schema=rm',
      connectTimeoutMs: 1500,
      maxAppendSize: 1048576,
    });
  });

  it('accept kurrentdb:// and a read-model URL written plainly, with defaults for the rest', () => {
    const settings = parseEsdbUrl('kurrentdb://localhost?tls=false&readModels=sqlite:./rm.db');
    expect(settings).toMatchObject({ connectionString: 'esdb://localhost?tls=false', target: 'localhost:2113', namespace: '', readModels: 'sqlite:./rm.db', connectTimeoutMs: 3000 });
    expect(parseEsdbUrl('esdb+discover://cluster.example:2113').readModels).toBe(DEFAULT_ESDB_READ_MODELS);
    expect(parseEsdbUrl('esdb+discover://cluster.example:2113').connectionString).toBe('esdb+discover://cluster.example:2113');
  });

  it('give the client a connection string it parses without complaint', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const client = EventStoreDBClient.connectionString(parseEsdbUrl('esdb://localhost:2113?tls=false&readModels=sqlite:x.db&namespace=n&maxAppendSize=500000').connectionString);
      expect(client).toBeInstanceOf(EventStoreDBClient);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('refuse what they cannot use: invalid_store_url, with the reason', () => {
    const reasons: [string, RegExp][] = [
      ['esdb://?tls=false', /needs a host/],
      ['esdb://localhost?tls', /is not key=value/],
      ['esdb://localhost?readModels=mysql://db', /sqlite:PATH or postgres/],
      ['esdb://localhost?namespace=a-b', /namespace=/],
      ['esdb://localhost?connectTimeout=soon', /connectTimeout= takes a positive whole number/],
      ['esdb://localhost?readModels=%E0%A4%A', /percent-encoding/],
    ];
    for (const [url, reason] of reasons) {
      expect(() => parseEsdbUrl(url)).toThrow(expect.objectContaining({ code: EventStoreErrorCode.InvalidStoreUrl, message: expect.stringMatching(reason) }));
    }
    expect(() => parseEsdbUrl('esdb://u:secret@localhost?tls')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret') }));
  });

  it('are shown with every password masked, the read models\' too', () => {
    expect(redactStoreUrl('esdb://admin:changeit@db:2113?tls=false&readModels=postgres://capflow:s3cret@pg:5432/capflow')).toBe(
      'esdb://admin:***@db:2113?tls=false&readModels=postgres://capflow:***@pg:5432/capflow',
    );
    expect(redactStoreUrl('esdb://db?readModels=postgres%3A%2F%2Fcapflow%3As3cret%40pg%2Fcapflow')).toBe('esdb://db?readModels=postgres%3A%2F%2Fcapflow%3A***%40pg%2Fcapflow');
    expect(redactStoreUrl('esdb://db:2113?tls=false&readModels=sqlite:./rm.db')).toBe('esdb://db:2113?tls=false&readModels=sqlite:./rm.db');
    expect(redactStoreUrl('postgres://u:pw@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(redactStoreUrl('sqlite:./data/capflow.db')).toBe('sqlite:./data/capflow.db');
  });

  it('name where the read models live in the store location', () => {
    expect(parseStoreUrl('esdb://localhost:2113?tls=false&readModels=postgres://capflow@pg/capflow')).toEqual({
      kind: 'esdb',
      url: 'esdb://localhost:2113?tls=false&readModels=postgres://capflow@pg/capflow',
      readModels: 'postgres://capflow@pg/capflow',
    });
    expect(parseStoreUrl('esdb://localhost:2113')).toMatchObject({ readModels: DEFAULT_ESDB_READ_MODELS });
    expect(() => parseStoreUrl('esdb://localhost?readModels=sqlite:')).toThrow(expect.objectContaining({ code: EventStoreErrorCode.InvalidStoreUrl }));
  });
});

describe('errors from the client', () => {
  /** A gRPC ServiceError as @grpc/grpc-js makes them (its metadata: what the server sent in the trailers). */
  type ServiceError = NonNullable<ConstructorParameters<typeof UnavailableError>[0]>;
  const serviceError = (code: number, message: string, trailers: Record<string, string> = {}) =>
    Object.assign(new Error(`${code} ${message}`), { code, details: message, metadata: { getMap: () => trailers } }) as unknown as ServiceError;
  const translate = (error: unknown) => translateEsdbError(error, 'db:2113', 'reading capflow-log');

  it('WrongExpectedVersion becomes a conflict carrying the stream and its actual revision', () => {
    const conflict = translate(new WrongExpectedVersionError(undefined, { streamName: 'capflow-log', expected: 3n, current: 5n }));
    expect(conflict).toBeInstanceOf(EsdbConflict);
    expect(conflict).toMatchObject({ stream: 'capflow-log', actual: 5n });
    expect(translate(new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: 'no_stream' }))).toMatchObject({ actual: -1n });
    const trailers = { exception: 'wrong-expected-version', 'stream-name': 'party-x', 'expected-version': '1', 'actual-version': '4' };
    expect(translate(convertToCommandError(serviceError(9, 'FAILED_PRECONDITION', trailers)))).toMatchObject({ stream: 'party-x', actual: 4n });
  });

  it('connection refused, as the client converts it or passes it raw: store_unavailable, saying so', () => {
    const refused = 'UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:2113. Resolution note: ';
    for (const error of [convertToCommandError(serviceError(14, refused)), serviceError(14, refused), new UnavailableError(serviceError(14, refused))]) {
      const translated = translate(error);
      expect(translated).toBeInstanceOf(EventStoreError);
      expect(translated).toMatchObject({ code: EventStoreErrorCode.StoreUnavailable, details: { target: 'db:2113', operation: 'reading capflow-log' } });
      expect(translated.message).toBe('cannot reach EventStoreDB at db:2113 (reading capflow-log): connection refused: is it running, and on this port?');
    }
    expect(translate(serviceError(14, 'Name resolution failed for target dns:nohost:2113')).message).toMatch(/does not resolve/);
  });

  it('deadlines and timeouts: store_unavailable, "did not answer"', () => {
    expect(translate(new DeadlineExceededError(serviceError(4, 'DEADLINE_EXCEEDED: Deadline exceeded')))).toMatchObject({
      code: EventStoreErrorCode.StoreUnavailable,
      message: 'EventStoreDB at db:2113 did not answer in time (reading capflow-log)',
    });
    expect(translate(serviceError(4, 'Deadline exceeded')).message).toMatch(/did not answer in time/);
    expect(timedOut('db:2113', 'reading capflow-schema', 3000)).toMatchObject({
      code: EventStoreErrorCode.StoreUnavailable,
      message: 'EventStoreDB at db:2113 did not answer within 3 s (reading capflow-schema): is it running, and is this its gRPC port?',
    });
    expect(timedOut('db:2113', 'x', 2500).message).toContain('within 2.5 s');
  });

  it('other failures, each with what to do about it', () => {
    expect(translate(new AccessDeniedError()).message).toMatch(/refused access .*user and password/);
    expect(translate(serviceError(16, 'UNAUTHENTICATED')).message).toMatch(/refused access/);
    expect(translate(MaxAppendSizeExceededError.fromMaxAppendSize(1048576))).toMatchObject({
      code: EventStoreErrorCode.InvalidEvent,
      message: expect.stringMatching(/maximum append size \(1048576 bytes\): lower maxAppendSize=/),
    });
    expect(translate(StreamDeletedError.fromStreamName('capflow-log'))).toMatchObject({ code: EventStoreErrorCode.CorruptEvent });
    expect(translate(serviceError(12, 'UNIMPLEMENTED: Received HTTP status code 404')).message).toMatch(/does not answer as EventStoreDB .*tls=/);
    expect(translate(new Error('something odd'))).toMatchObject({ code: EventStoreErrorCode.StoreUnavailable, message: 'EventStoreDB at db:2113 failed (reading capflow-log): something odd' });
  });

  it('leaves capflow errors as they are', () => {
    const own = new EventStoreError(EventStoreErrorCode.EventIdConflict, 'x');
    expect(translate(own)).toBe(own);
    const conflict = new EsdbConflict('s', 1n);
    expect(translate(conflict)).toBe(conflict);
  });
});

describe('what the adapter computes beside the server', () => {
  it('splits a large append into parts under the maximum append size, keeping order', () => {
    const rows = Array.from({ length: 50 }, (_, i) => row({ position: i + 1, dataText: JSON.stringify({ pad: 'x'.repeat(400 + i) }) }));
    const parts = partsOf(rows, 8000);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.flat()).toEqual(rows);
    for (const part of parts) {
      expect(part.reduce((size, r) => size + Buffer.byteLength(r.dataText) + 600, 0)).toBeLessThanOrEqual(8000);
    }
    expect(partsOf([row({ dataText: JSON.stringify({ big: 'y'.repeat(20000) }) })], 8000)).toHaveLength(1); // alone, for the server to judge
    expect(partsOf([], 8000)).toEqual([]);
  });

  it('filters the audit trail on one record as the SQL stores do', () => {
    const record = row();
    expect(matchesFilter(record, {})).toBe(true);
    expect(matchesFilter(record, { streamId: 'invoice-INV-1', type: 'UsageBilled', types: ['X', 'UsageBilled'], toPosition: 7 })).toBe(true);
    expect(matchesFilter(record, { toPosition: 6 })).toBe(false);
    expect(matchesFilter(record, { types: [] })).toBe(false);
    expect(matchesFilter(record, { occurredFrom: '2025-11-06T09:00:00.500000000Z', occurredTo: '2025-11-06T09:00:00.500000000Z' })).toBe(true);
    expect(matchesFilter(record, { occurredFrom: '2025-11-06T09:00:00.500000001Z' })).toBe(false);
    expect(matchesFilter(record, { recordedTo: '2025-12-31T23:59:59.999Z' })).toBe(false);
  });

  it('keeps business order in memory: merges, selects after a cursor, cut by business time and knowledge', () => {
    const index = new BusinessOrderIndex();
    index.merge([
      { key: 'b', position: 1 },
      { key: 'a', position: 2 },
    ]);
    index.merge([
      { key: 'a', position: 4 },
      { key: 'c', position: 3 },
      { key: 'b', position: 5 },
    ]);
    expect(index.select({})).toEqual([2, 4, 1, 5, 3]);
    expect(index.select({ after: { occurredKey: 'a', position: 4 }, limit: 2 })).toEqual([1, 5]);
    expect(index.select({ asOf: 'b' })).toEqual([2, 4, 1, 5]);
    expect(index.select({ toPosition: 3 })).toEqual([2, 1, 3]);
    expect(runsOf([5, 1, 2, 3, 9, 8, 2])).toEqual([
      [1, 3],
      [5, 1],
      [8, 2],
    ]);
  });
});

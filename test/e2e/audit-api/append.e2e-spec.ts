/**
 * POST /api/events, the same ingestion use case as `capflow import`: the worked example as one
 * NDJSON batch gives the store, the reports and the per-line answers that `capflow import --json`
 * gives for the file; one envelope answers 201, 200 for a duplicate, 422 with the contract's code
 * for a rule violation, 400 for malformed JSON; hostile bodies (too large, `__proto__`, deep
 * nesting, binary, the wrong media type) answer cleanly and change nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cli,
  cliImport,
  Json,
  cliJson,
  EXAMPLE,
  EXAMPLE_LINES,
  EXPECTED,
  removeScratch,
  scratchDirectory,
  sleep,
  startApi,
  TestApi,
} from './harness';

jest.setTimeout(300_000);

const MAX_BODY = 1024 * 1024;
const NDJSON = { 'content-type': 'application/x-ndjson' };
const JSON_TYPE = { 'content-type': 'application/json' };

let api: TestApi;
/** The same file through `capflow import`, into another store. */
let imported: string;
let importSummary: ReturnType<typeof cliImport>;
let batch: { status: number; json: Json };

beforeAll(async () => {
  const scratch = scratchDirectory();
  imported = `sqlite:${join(scratch, 'imported.db')}`;
  importSummary = cliImport(EXAMPLE, imported);
  api = await startApi({ storeUrl: `sqlite:${join(scratch, 'posted.db')}`, env: { CAPFLOW_API_MAX_BODY_BYTES: String(MAX_BODY) } });
  batch = await api.call('/api/events', { key: api.keys.ingest.key, method: 'POST', headers: NDJSON, body: readFileSync(EXAMPLE) });
  await api.caughtUp();
});
afterAll(async () => {
  await api?.close();
  removeScratch();
});

const post = (body: string | Buffer | ReadableStream<Uint8Array>, headers: Record<string, string> = JSON_TYPE, key = api.keys.ingest.key) =>
  api.call('/api/events', { key, method: 'POST', headers, body });

const trailOf = async (path: string): Promise<Record<string, unknown>[]> => (await api.json(path)).events;

describe('the example as one NDJSON batch', () => {
  it('answers what `capflow import --json` prints for the file: accepted, duplicates, rejected with codes and details', () => {
    expect(batch.status).toBe(200);
    const { results, ...summary } = batch.json;
    expect(summary).toEqual(importSummary);
    expect(summary).toEqual({
      ...EXPECTED.import,
      rejected: EXPECTED.import.rejected.map((rejection: object) => ({ ...rejection, detail: expect.any(String) })),
    });
    expect(results).toHaveLength(EXAMPLE_LINES.length);
    expect(results[22]).toEqual({ line: 23, status: 'duplicate', eventId: '00000000-0000-4000-8000-000000000008', position: 8 });
    expect(results[0]).toEqual({ line: 1, status: 'accepted', eventId: '00000000-0000-4000-8000-000000000001', position: 1 });
    expect(results[25]).toMatchObject({ line: 26, status: 'rejected', reason: 'schema_violation' });
  });

  it('stores what `capflow import` stores: the same events, streams, data and order; provenance names the request, key and line', async () => {
    const posted = await trailOf('/api/events?limit=1000');
    const printed = (await cli(['events', '--store', imported, '--json']))
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line));
    const content = (event: Record<string, unknown>) => {
      const { recordedAt: _recordedAt, metadata: _metadata, hash: _hash, ...rest } = event;
      return rest;
    };
    expect(posted).toHaveLength(22);
    expect(posted.map(content)).toEqual(printed.map(content));
    expect(posted[19].metadata).toEqual({ http: { requestId: expect.any(String), key: 'ian-ingest', line: 20 } });
    expect(new Set(posted.map((event) => (event.metadata as { http: { requestId: string } }).http.requestId)).size).toBe(1);
  });

  it.each([
    ['balances', '/api/balances', ['balances']],
    ['round trips, fifo', '/api/reports/round-trips?policy=fifo', ['report', 'round-trips', '--policy', 'fifo']],
    ['round trips, pro_rata', '/api/reports/round-trips?policy=pro_rata', ['report', 'round-trips', '--policy', 'pro_rata']],
    ['trace', '/api/reports/trace/amzn-oai', ['report', 'trace', '--investment', 'amzn-oai']],
    ['commitments', '/api/reports/commitments', ['report', 'commitments']],
    ['credits', '/api/reports/credits', ['report', 'credits']],
    ['flows', '/api/reports/flows', ['report', 'flows']],
  ])('gives the reports of the imported store: %s', async (_, path, args) => {
    expect(await api.json(path)).toEqual(await cliJson([...args, '--store', imported]));
  });

  it('gives the restatements of the imported store, but for when they were recorded', async () => {
    const withoutTimes = (report: { restatements: { recordedAt: string }[] }) =>
      report.restatements.map(({ recordedAt: _, ...rest }) => rest);
    const [posted, printed] = await Promise.all([
      api.json('/api/reports/restatements'),
      cliJson(['report', 'restatements', '--store', imported]),
    ]);
    expect(posted.restatements).toHaveLength(1);
    expect(withoutTimes(posted)).toEqual(withoutTimes(printed));
  });

  it('the balances and round trips are the expected file’s', async () => {
    expect(await api.json('/api/balances')).toEqual(EXPECTED.balances);
    expect(await api.json('/api/reports/round-trips?policy=pro_rata')).toEqual(EXPECTED.pro_rata);
  });

  it('with CRLF line ends and blank lines: the line numbers `capflow import` gives the same file', async () => {
    const variant = join(scratchDirectory(), 'crlf.ndjson');
    writeFileSync(variant, `\r\n${EXAMPLE_LINES.map((line, index) => (index % 5 === 4 ? `${line}\r\n  \r\n` : `${line}\r\n`)).join('')}\n`);
    const again = await post(readFileSync(variant), NDJSON);
    expect(again.status).toBe(200);
    const { results: _, ...summary } = again.json;
    const printed = cliImport(variant, imported);
    expect(summary).toEqual(printed);
    expect(printed.rejected.map((rejection) => rejection.line)).toEqual([29, 30, 32]); // 24, 25, 26 of the example, after a blank first line and one blank after every fifth
  });

  it('sent again: nothing stored twice, every stored line a duplicate, the same rejections (as a second `capflow import`)', async () => {
    const again = await post(readFileSync(EXAMPLE), NDJSON);
    expect(again.status).toBe(200);
    const { results: _, ...summary } = again.json;
    expect(summary).toEqual({ ...importSummary, accepted: 0, duplicates: 23 });
    expect((await api.json('/health')).store.head).toBe(22);
  });
});

describe('one envelope', () => {
  const payment = (eventId: string, data: Record<string, unknown> = {}) =>
    JSON.stringify({
      eventId,
      type: 'PaymentMade',
      occurredAt: '2025-11-12T09:00:00Z',
      source: 'treasury',
      data: {
        paymentId: `p-${eventId.slice(-4).toLowerCase()}`,
        payerId: 'openai',
        payeeId: 'oracle',
        amount: { amount: '10.00', currency: 'USD' },
        purpose: 'compute',
        ...data,
      },
    });

  it('accepted: 201 with its position; the same again: 200 duplicate; the same id with other content: 422 event_id_conflict', async () => {
    const first = await post(payment('00000000-0000-4000-8000-000000000a01'));
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ status: 'accepted', eventId: '00000000-0000-4000-8000-000000000a01', position: 23 });
    const again = await post(payment('00000000-0000-4000-8000-000000000A01'), { 'content-type': 'application/json; charset=utf-8' });
    expect(again.status).toBe(200);
    expect(again.json).toEqual({
      status: 'duplicate',
      eventId: expect.stringMatching(/^00000000-0000-4000-8000-000000000a01$/i),
      position: 23,
    });
    const conflict = await post(payment('00000000-0000-4000-8000-000000000a01', { amount: { amount: '11.00', currency: 'USD' } }));
    expect(conflict.status).toBe(422);
    expect(conflict.json).toEqual({
      statusCode: 422,
      code: 'event_id_conflict',
      detail: expect.any(String),
      eventId: expect.stringMatching(/^00000000-0000-4000-8000-000000000a01$/i),
      requestId: expect.any(String),
    });
    const stored = await api.json('/api/events/00000000-0000-4000-8000-000000000a01');
    expect(stored).toMatchObject({
      position: 23,
      type: 'PaymentMade',
      metadata: { http: { key: 'ian-ingest', requestId: expect.any(String) } },
    });
    expect(stored.data.amount).toEqual({ amount: '10.00', currency: 'USD' });
  });

  it('many at once: each stored once, at contiguous positions; the same fact sent five times at once is stored once', async () => {
    const head = (await api.json('/health')).store.head;
    const send = (eventId: string) => post(payment(eventId));
    const distinct = Array.from({ length: 10 }, (_, index) => `00000000-0000-4000-8000-0000000009${String(index).padStart(2, '0')}`);
    const answers = await Promise.all([
      ...distinct.map(send),
      ...Array.from({ length: 5 }, () => send('00000000-0000-4000-8000-000000000999')),
    ]);
    expect(answers.slice(0, 10).map((answer) => answer.status)).toEqual(Array(10).fill(201));
    expect(
      answers
        .slice(10)
        .map((answer) => answer.status)
        .sort(),
    ).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((answer) => answer.json.position)).size).toBe(11);
    expect(answers.map((answer) => answer.json.position).sort((a, b) => a - b)).toEqual(
      expect.arrayContaining(Array.from({ length: 11 }, (_, index) => head + 1 + index)),
    );
    expect(await api.json('/api/verify')).toMatchObject({ ok: true, headPosition: head + 11 });
  });

  it.each([
    ['unknown_reference', '00000000-0000-4000-8000-000000000b01', { payerId: 'nobody' }],
    ['invalid_relationship', '00000000-0000-4000-8000-000000000b02', { payeeId: 'openai' }],
    ['duplicate_id', '00000000-0000-4000-8000-000000000b03', { paymentId: 'oai-orcl-1' }],
  ])('a rule violation: 422 %s, naming the eventId, and nothing stored', async (code, eventId, data) => {
    const head = (await api.json('/health')).store.head;
    const answer = await post(payment(eventId, data));
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({ statusCode: 422, code, detail: expect.any(String), eventId, requestId: expect.any(String) });
    expect(answer.json.detail.length).toBeGreaterThan(10);
    expect((await api.json('/health')).store.head).toBe(head);
  });

  it('a shape the contract refuses: 422 schema_violation or unknown_event_type, with the detail naming the field', async () => {
    const noSource = JSON.parse(payment('00000000-0000-4000-8000-000000000c01'));
    delete noSource.source;
    const answer = await post(JSON.stringify(noSource));
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ code: 'schema_violation', detail: expect.stringContaining('source') });
    const unknownType = await post(JSON.stringify({ ...noSource, source: 'x', type: 'MoneyPrinted' }));
    expect(unknownType.status).toBe(422);
    expect(unknownType.json).toMatchObject({ code: 'unknown_event_type' });
  });

  it.each([
    ['not JSON', '{"eventId": '],
    [
      'two envelopes in a JSON body',
      `${payment('00000000-0000-4000-8000-000000000d01')}\n${payment('00000000-0000-4000-8000-000000000d02')}`,
    ],
    ['an empty body', ''],
  ])('%s: 400 malformed_json', async (_, body) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      statusCode: 400,
      code: 'malformed_json',
      detail: expect.any(String),
      requestId: expect.any(String),
    });
  });
});

describe('hostile bodies answer cleanly and change nothing', () => {
  let head: number;
  let headHash: string;
  beforeAll(async () => {
    const verified = await api.json('/api/verify');
    head = verified.headPosition;
    headHash = verified.headHash;
  });
  afterAll(async () => {
    // after all of them: the same log, intact, and the process still answering
    const verified = await api.json('/api/verify');
    expect(verified).toMatchObject({ ok: true, headPosition: head, headHash });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  const bigBody = () => Buffer.alloc(MAX_BODY + 1024 + 1, 0x20);

  it('a body 1 MiB beyond the limit, declared in Content-Length: 413 payload_too_large', async () => {
    const answer = await post(bigBody(), NDJSON);
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({
      statusCode: 413,
      code: 'payload_too_large',
      detail: expect.stringContaining('CAPFLOW_API_MAX_BODY_BYTES'),
    });
  });

  it('a body beyond the limit sent in chunks, without a length: 413 payload_too_large, and the server lives on', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 2 * MAX_BODY) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const answer = await post(body, NDJSON);
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ code: 'payload_too_large' });
    await sleep(100);
    expect((await api.call('/health')).status).toBe(200);
  });

  it('a batch just under the limit is read whole', async () => {
    const line = `${payment('00000000-0000-4000-8000-000000000e01')}\n`;
    const padding = ' '.repeat(MAX_BODY - 2 * line.length - 1); // exactly the limit
    const answer = await post(`${line}${padding}\n${line}`, NDJSON);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ accepted: 1, duplicates: 1, rejected: [] });
    head += 1;
    headHash = (await api.json('/api/verify')).headHash;
  });

  it.each([
    [
      'in the envelope',
      '{"__proto__": {"polluted": true}, "eventId": "00000000-0000-4000-8000-000000000f01", "type": "PartyRegistered", "occurredAt": "2025-11-01T09:00:00Z", "source": "x", "data": {"partyId": "p-f01", "name": "P", "kind": "other"}}',
    ],
    [
      'in the data',
      '{"eventId": "00000000-0000-4000-8000-000000000f02", "type": "PartyRegistered", "occurredAt": "2025-11-01T09:00:00Z", "source": "x", "data": {"partyId": "p-f02", "name": "P", "kind": "other", "__proto__": {"polluted": true}}}',
    ],
    [
      'as constructor.prototype',
      '{"eventId": "00000000-0000-4000-8000-000000000f03", "type": "PartyRegistered", "occurredAt": "2025-11-01T09:00:00Z", "source": "x", "data": {"partyId": "p-f03", "name": "P", "kind": "other", "constructor": {"prototype": {"polluted": true}}}}',
    ],
  ])('a __proto__ key %s: 422 schema_violation, no pollution', async (_, body) => {
    const answer = await post(body);
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ code: 'schema_violation' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['arrays', () => `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['objects', () => `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`],
    [
      'inside the data',
      () =>
        `{"eventId": "00000000-0000-4000-8000-000000000f04", "type": "PartyRegistered", "occurredAt": "2025-11-01T09:00:00Z", "source": "x", "data": {"partyId": "p", "name": "P", "kind": "other", "x": ${'['.repeat(5000)}${']'.repeat(5000)}}}`,
    ],
  ])('5000-deep nesting of %s: a clean 4xx with a contract code', async (_, body) => {
    for (const [headers, text] of [
      [JSON_TYPE, body()],
      [NDJSON, `${body()}\n${body()}`],
    ] as [Record<string, string>, string][]) {
      const answer = await post(text, headers);
      if (headers === NDJSON) {
        expect(answer.status).toBe(200);
        expect(answer.json).toMatchObject({ accepted: 0, duplicates: 0 });
        expect(answer.json.rejected.map((rejection: { reason: string }) => rejection.reason)).toEqual([
          expect.stringMatching(/^(schema_violation|malformed_json)$/),
          expect.any(String),
        ]);
      } else {
        expect([400, 422]).toContain(answer.status);
        expect(answer.json.code).toMatch(/^(schema_violation|malformed_json)$/);
      }
    }
  });

  it('binary: 400 malformed_json; as a batch, every line refused', async () => {
    const binary = Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x22, 0x80, 0x0a, 0xc3, 0x28, 0x1f, 0x8b, 0x08]);
    const single = await post(binary);
    expect(single.status).toBe(400);
    expect(single.json).toMatchObject({ code: 'malformed_json' });
    const lines = await post(binary, NDJSON);
    expect(lines.status).toBe(200);
    expect(lines.json).toMatchObject({
      accepted: 0,
      duplicates: 0,
      rejected: [
        { line: 1, reason: 'malformed_json' },
        { line: 2, reason: 'malformed_json' },
      ],
    });
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['no media type', {}],
  ])('%s: 415 unsupported_media_type', async (_, headers) => {
    const answer = await post(payment('00000000-0000-4000-8000-000000000f05'), headers as Record<string, string>);
    expect(answer.status).toBe(415);
    expect(answer.json).toMatchObject({
      statusCode: 415,
      code: 'unsupported_media_type',
      detail: expect.stringContaining('application/x-ndjson'),
    });
  });

  it('an NDJSON batch of blank lines: 400, nothing to store', async () => {
    const answer = await post('\n  \r\n\n', NDJSON);
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('invalid_parameter');
  });

  function payment(eventId: string): string {
    return JSON.stringify({
      eventId,
      type: 'PaymentMade',
      occurredAt: '2025-11-12T09:00:00Z',
      source: 'treasury',
      data: {
        paymentId: `p-${eventId.slice(-4)}`,
        payerId: 'openai',
        payeeId: 'oracle',
        amount: { amount: '1.00', currency: 'USD' },
        purpose: 'compute',
      },
    });
  }
});

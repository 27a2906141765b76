/**
 * Who may do what: 401 without a valid key (with WWW-Authenticate), 403 with a key that lacks
 * the route's role, 400 key_in_query for a key in a URL even beside a valid header; and the
 * access log an admin reads: who did what, with what result, never a key.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE, removeScratch, scratchDirectory, startApi, TestApi } from './harness';

jest.setTimeout(180_000);

let api: TestApi;
let keys: TestApi['keys'];

beforeAll(async () => {
  api = await startApi({ storeUrl: `sqlite:${join(scratchDirectory(), 'auth.db')}` });
  keys = api.keys;
  const imported = await api.call('/api/events', {
    key: keys.ingest.key,
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: readFileSync(EXAMPLE),
  });
  expect(imported.status).toBe(200);
  await api.caughtUp();
});
afterAll(async () => {
  await api?.close();
  removeScratch();
});

const READS = [
  '/api/balances',
  '/api/reports/round-trips?policy=fifo',
  '/api/reports/trace/amzn-oai',
  '/api/reports/commitments',
  '/api/reports/credits',
  '/api/reports/flows',
  '/api/reports/restatements',
  '/api/events',
  '/api/events/00000000-0000-4000-8000-000000000001',
  '/api/verify',
];
const ADMIN: [string, string][] = [
  ['GET', '/api/admin/projections'],
  ['GET', '/api/admin/access-log'],
  ['POST', '/api/admin/projections/rebuild'],
];
const APPEND = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
const EVERY_ROUTE: [string, string][] = [...READS.map((path): [string, string] => ['GET', path]), ['POST', '/api/events'], ...ADMIN];

const send = (method: string, path: string, key?: string, headers: Record<string, string> = {}) =>
  api.call(
    path,
    method === 'POST' && path === '/api/events' ? { ...APPEND, key, headers: { ...APPEND.headers, ...headers } } : { method, key, headers },
  );

describe('without a valid key: 401', () => {
  it.each(EVERY_ROUTE)('%s %s without a key: 401 unauthenticated, with WWW-Authenticate', async (method, path) => {
    const answer = await send(method, path);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="capflow"');
    expect(answer.json).toEqual({
      statusCode: 401,
      code: 'unauthenticated',
      detail: expect.stringContaining('Authorization: Bearer'),
      requestId: expect.any(String),
    });
  });

  it.each([
    ['a key nobody was given', () => `Bearer cfk_${randomBytes(32).toString('base64url')}`],
    ['a valid key with one character changed', () => `Bearer ${keys.admin.key.slice(0, -1)}${keys.admin.key.endsWith('A') ? 'B' : 'A'}`],
    ['a valid key in another scheme', () => `Basic ${keys.admin.key}`],
    ['the scheme alone', () => 'Bearer'],
    ['a key with a space in it', () => `Bearer ${keys.admin.key} x`],
    ['an empty header', () => ''],
  ])('%s: 401 invalid_key, with WWW-Authenticate', async (_, header) => {
    for (const [method, path] of [
      ['GET', '/api/balances'],
      ['POST', '/api/events'],
      ['GET', '/api/admin/access-log'],
    ]) {
      const answer = await send(method, path, undefined, { authorization: header() });
      expect({ path, status: answer.status, code: answer.json.code }).toEqual({
        path,
        status: 401,
        code: expect.stringMatching(/^(invalid_key|unauthenticated)$/),
      });
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="capflow"');
    }
  });

  it('the scheme is case-insensitive (RFC 9110): "bearer <key>" is the same key', async () => {
    const answer = await api.call('/api/balances', { headers: { authorization: `bearer ${keys.auditor.key}` } });
    expect(answer.status).toBe(200);
  });
});

describe('with a key that lacks the role: 403', () => {
  it.each(READS)('an ingest key reading %s: 403 forbidden, naming the roles', async (path) => {
    const answer = await api.call(path, { key: keys.ingest.key });
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({
      statusCode: 403,
      code: 'forbidden',
      detail: expect.stringMatching(/auditor or admin.*ian-ingest/),
      requestId: expect.any(String),
    });
  });

  it('an auditor key appending a fact: 403, and nothing is read from the body', async () => {
    const answer = await api.call('/api/events', {
      key: keys.auditor.key,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"eventId": "x"}',
    });
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/needs the ingest role/) });
  });

  it('an admin key appending a fact: 403, appending needs ingest (least privilege)', async () => {
    const answer = await api.call('/api/events', { ...APPEND, key: keys.admin.key });
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/needs the ingest role; the key "ada-admin" has admin/) });
  });

  it.each(ADMIN)('auditor and ingest keys on the admin route %s %s: 403', async (method, path) => {
    for (const key of [keys.auditor.key, keys.ingest.key, keys.both.key]) {
      const answer = await api.call(path, { key, method });
      expect(answer.status).toBe(403);
      expect(answer.json).toMatchObject({ code: 'forbidden', detail: expect.stringContaining('admin') });
    }
  });

  it('each role does what it may: auditor reads, ingest appends, admin reads and the admin routes, a key with two roles both', async () => {
    for (const key of [keys.auditor.key, keys.admin.key, keys.both.key])
      expect((await api.call('/api/balances', { key })).status).toBe(200);
    const envelope = JSON.stringify({
      eventId: '00000000-0000-4000-8000-000000000001',
      type: 'PartyRegistered',
      occurredAt: '2025-11-01T09:00:00Z',
      source: 'registry',
      data: { partyId: 'amazon', name: 'Amazon.com, Inc.', kind: 'investor' },
    });
    for (const key of [keys.ingest.key, keys.both.key]) {
      const answer = await api.call('/api/events', {
        key,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: envelope,
      });
      expect(answer.status).toBe(200); // a duplicate of the example's first fact
      expect(answer.json).toMatchObject({ status: 'duplicate' });
    }
    for (const [method, path] of ADMIN.filter(([method]) => method === 'GET'))
      expect((await api.call(path, { key: keys.admin.key, method })).status).toBe(200);
  });
});

describe('a key in the query string: 400 key_in_query', () => {
  it.each(['api_key', 'token', 'apiKey', 'access_token', 'key', 'API_KEY', 'Authorization'])(
    '?%s=… is refused, even beside a valid header',
    async (name) => {
      const answer = await api.call(`/api/balances?${name}=${keys.auditor.key}`, { key: keys.auditor.key });
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({
        statusCode: 400,
        code: 'key_in_query',
        detail: expect.stringContaining(`${name}=`),
        requestId: expect.any(String),
      });
      expect(answer.text).not.toContain(keys.auditor.key);
    },
  );

  it('on every kind of route: a report, an append, an admin route, a public one', async () => {
    for (const [method, path, key] of [
      ['GET', `/api/reports/round-trips?policy=fifo&token=${keys.auditor.key}`, keys.auditor.key],
      ['POST', `/api/events?api_key=${keys.ingest.key}`, keys.ingest.key],
      ['GET', `/api/admin/access-log?api_key=${keys.admin.key}`, keys.admin.key],
      ['GET', `/api/balances?api_key=${keys.auditor.key}`, undefined],
      ['GET', `/health?token=${keys.auditor.key}`, undefined],
    ] as [string, string, string | undefined][]) {
      const answer = await send(method, path, key);
      expect({ path, status: answer.status, code: answer.json.code }).toEqual({ path, status: 400, code: 'key_in_query' });
    }
  });
});

describe('the access log', () => {
  interface Entry {
    time: string;
    requestId: string;
    clientRequestId: string | null;
    principal: string | null;
    method: string;
    path: string;
    query: string[];
    status: number;
    ms: number;
    ip: string;
  }
  const readAll = async (limit: number): Promise<Entry[]> => {
    const entries: Entry[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const page: { entries: Entry[]; next: number | null } = await api.json(
        `/api/admin/access-log?after=${after}&limit=${limit}`,
        keys.admin.key,
      );
      expect(page.entries.length).toBeLessThanOrEqual(limit);
      entries.push(...page.entries);
      after = page.next;
    }
    return entries;
  };

  it('names who did what, when, with what result; an admin pages through it', async () => {
    const marker = `marker-${randomBytes(6).toString('hex')}`;
    const headers = { 'x-request-id': marker };
    await api.call('/api/reports/credits?asOf=2025-11-05', { key: keys.auditor.key, headers: { 'x-request-id': `${marker}-1` } });
    await api.call('/api/reports/credits', { key: keys.ingest.key, headers: { 'x-request-id': `${marker}-2` } });
    await api.call('/api/reports/credits', { headers: { 'x-request-id': `${marker}-3` } });
    await api.call('/api/events', {
      ...APPEND,
      key: keys.ingest.key,
      headers: { ...APPEND.headers, ...headers, 'x-request-id': `${marker}-4` },
    });
    const before = Date.now();
    const entries = await readAll(7);
    // the client's ids are kept as the client's; the server names each request with its own
    const mine = entries.filter((entry) => entry.clientRequestId?.startsWith(marker));
    expect(mine.map((entry) => entry.clientRequestId)).toEqual([1, 2, 3, 4].map((n) => `${marker}-${n}`));
    for (const entry of mine) expect(entry.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(mine.map(({ principal, method, path, query, status }) => ({ principal, method, path, query, status }))).toEqual([
      { principal: 'alice-auditor', method: 'GET', path: '/api/reports/credits', query: ['asOf'], status: 200 },
      { principal: 'ian-ingest', method: 'GET', path: '/api/reports/credits', query: [], status: 403 },
      { principal: null, method: 'GET', path: '/api/reports/credits', query: [], status: 401 },
      { principal: 'ian-ingest', method: 'POST', path: '/api/events', query: [], status: 422 },
    ]);
    for (const entry of mine) {
      expect(Date.parse(entry.time)).toBeLessThanOrEqual(before);
      expect(Date.now() - Date.parse(entry.time)).toBeLessThan(120_000);
      expect(entry.ip).toMatch(/127\.0\.0\.1/);
    }
    // the import at the start, by its key
    expect(entries[0]).toMatchObject({ principal: 'ian-ingest', method: 'POST', path: '/api/events', status: 200 });
    expect(entries.length).toBeGreaterThan(40);
  });

  it('holds no key and no query value, in what it answers or on disk', async () => {
    await api.call(`/api/balances?api_key=${keys.admin.key}`, { key: keys.auditor.key });
    await api.call('/api/balances', { headers: { authorization: `Bearer ${keys.admin.key}x` } });
    const answer = await api.call('/api/admin/access-log?limit=1000', { key: keys.admin.key });
    const onDisk = readFileSync(api.accessLogPath, 'utf8');
    expect(onDisk.split('\n').filter((line) => line.length > 0).length).toBeGreaterThan(40);
    for (const text of [answer.text, onDisk]) {
      for (const { key } of Object.values(keys)) expect(text).not.toContain(key);
      expect(text).not.toContain('cfk_');
      expect(text).not.toContain('2025-11-05'); // a query value above
      expect(text).toContain('"query":["api_key"]');
    }
  });

  it('is refused to every other role', async () => {
    for (const key of [keys.auditor.key, keys.ingest.key]) expect((await api.call('/api/admin/access-log', { key })).status).toBe(403);
  });
});

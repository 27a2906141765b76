/**
 * The hostile-input probe's findings against the API (issue 15), each as the probe found it:
 * a formula in a CSV cell, keys in odd places of a URL, an admin key appending, /docs taking a
 * key in its query and serving more than its page, cursors at the largest position, requests
 * the access log missed, bodies that never end, client-chosen request ids, HSTS over HTTP.
 */
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Answer, removeScratch, scratchDirectory, sleep, startApi, TestApi } from './harness';

jest.setTimeout(120_000);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FORMULA = "-2+3+cmd|' /C calc'!A0";

let api: TestApi;

beforeAll(async () => {
  api = await startApi({ storeUrl: `sqlite:${join(scratchDirectory(), 'probe.db')}`, env: { CAPFLOW_API_BODY_TIMEOUT_MS: '1000' } });
});
afterAll(async () => {
  await api?.close();
  removeScratch();
});

interface Entry {
  requestId: string;
  clientRequestId: string | null;
  path: string;
  query: string[];
  status: number | null;
  aborted?: true;
}
const accessLog = (): Entry[] =>
  readFileSync(api.accessLogPath, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));

const post = (body: string, key: string, headers: Record<string, string> = {}): Promise<Answer> =>
  api.call('/api/events', { key, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

const party = (eventId: string, source: string) =>
  JSON.stringify({
    eventId,
    type: 'PartyRegistered',
    occurredAt: '2025-11-01T09:00:00Z',
    source,
    data: { partyId: `acme-${eventId.slice(-4)}`, name: 'Acme', kind: 'investor' },
  });

/** Raw HTTP: what fetch cannot do (a body that never ends, a client that walks away). */
function rawRequest(head: string, bodyPiece: string, then: 'wait' | 'abort'): Promise<{ response: string; closedAfterMs: number }> {
  const url = new URL(api.url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(`${head}\r\n\r\n${bodyPiece}`);
      if (then === 'abort') setTimeout(() => socket.destroy(), 200);
    });
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ response, closedAfterMs: Date.now() - started }));
    setTimeout(() => socket.destroy(), 30_000).unref();
  });
}

describe('D1: CSV', () => {
  it('a source that reads like a formula is inert in the audit trail as CSV, and the amount column stays exact', async () => {
    expect((await post(party('00000000-0000-4000-8000-0000000000d1', FORMULA), api.keys.ingest.key)).status).toBe(201);
    const answer = await api.call('/api/events?format=csv', { key: api.keys.auditor.key });
    const row = answer.text.split('\r\n')[1];
    expect(row).toContain(`,'${FORMULA},`);
    expect(row).not.toContain(`,${FORMULA},`);
  });
});

describe('D4: a key as a bare query-string name', () => {
  it('is refused with 400 key_in_query, and neither it nor a piece of it is logged', async () => {
    const key = api.keys.auditor.key;
    const answers = [
      await api.call(`/api/balances?${key}`, { key }),
      await api.call(`/api/balances?asOf=${key}`, { key }),
      await api.call(`/docs/?${key}`),
    ];
    for (const answer of answers) expect(answer.json).toMatchObject({ statusCode: 400, code: 'key_in_query' });
    await api.call(`/api/${key}`, { key }); // a key in the path: 404, and redacted in the log
    const onDisk = readFileSync(api.accessLogPath, 'utf8');
    expect(onDisk).not.toContain(key.slice(4, 24));
    expect(accessLog()).toContainEqual(expect.objectContaining({ path: '/api/balances', query: ['(redacted)'], status: 400 }));
    expect(accessLog()).toContainEqual(expect.objectContaining({ path: '/api/cfk_…', status: 404 }));
  });
});

describe('D5: least privilege', () => {
  it('an admin key cannot append a fact: 403; an ingest key can', async () => {
    const admin = await post(party('00000000-0000-4000-8000-0000000000d5', 'treasury'), api.keys.admin.key);
    expect(admin.status).toBe(403);
    expect(admin.json).toMatchObject({ code: 'forbidden', detail: expect.stringContaining('needs the ingest role') });
    expect((await post(party('00000000-0000-4000-8000-0000000000d5', 'treasury'), api.keys.ingest.key)).status).toBe(201);
  });
});

describe('D6 and D11: /docs', () => {
  it.each(['/docs/?api_key=abc', '/docs?token=abc', '/docs/openapi.json?token=abc', '/docs/swagger-ui.css?access_token=abc'])(
    '%s: 400 key_in_query, as everywhere else',
    async (path) => {
      const answer = await api.call(path);
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ code: 'key_in_query', requestId: expect.stringMatching(UUID) });
    },
  );

  it("serves only what the page needs: not swagger-ui-dist's package.json, source maps or other bundles", async () => {
    for (const path of [
      '/docs/package.json',
      '/docs/swagger-ui-bundle.js.map',
      '/docs/swagger-ui.css.map',
      '/docs/swagger-ui-es-bundle.js',
      '/docs/index.js',
      '/docs/README.md',
      '/docs-yaml',
    ])
      expect({ path, status: (await api.call(path)).status }).toEqual({ path, status: 404 });
    const page = await api.call('/docs/');
    expect(page.status).toBe(200);
    const files = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((match) => new URL(match[1], `${api.url}/docs/`).pathname)
      .filter((path) => path.startsWith('/docs'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const path of files) expect({ path, status: (await api.call(path)).status }).toEqual({ path, status: 200 });
  });
});

describe('D7: cursors', () => {
  it('takes after= up to Number.MAX_SAFE_INTEGER, the largest position, and names it when refusing a larger one', async () => {
    for (const after of ['9007199254740991', '1000000000000000', '0000000000000000001'])
      expect({ after, status: (await api.call(`/api/events?after=${after}`, { key: api.keys.auditor.key })).status }).toEqual({
        after,
        status: 200,
      });
    const answer = await api.call('/api/events?after=9007199254740992', { key: api.keys.auditor.key });
    expect(answer.status).toBe(400);
    expect(answer.json.detail).toContain('from 0 to 9007199254740991');
    expect((await api.call('/api/admin/access-log?after=9007199254740991', { key: api.keys.admin.key })).status).toBe(200);
  });
});

describe('D8 and request ids: the access log', () => {
  it("logs /health, /metrics, /assets and /docs, each under the server's own id, the client's id beside it", async () => {
    const paths = ['/health', '/metrics', '/assets/app.css', '/docs/', '/docs/openapi.json'];
    const answers = await Promise.all(paths.map((path, index) => api.call(path, { headers: { 'x-request-id': `probe-d8-${index}` } })));
    await sleep(100);
    const log = accessLog();
    paths.forEach((path, index) => {
      const entry = log.find((one) => one.clientRequestId === `probe-d8-${index}`);
      expect(entry).toMatchObject({ path, status: 200, requestId: answers[index].headers.get('x-request-id') });
      expect(entry!.requestId).toMatch(UUID);
    });
  });

  it("records a fact's request by the server's id, and the id the client chose as the client's", async () => {
    const answer = await post(party('00000000-0000-4000-8000-0000000000e1', 'treasury'), api.keys.ingest.key, {
      'x-request-id': 'client-chose-this',
    });
    expect(answer.status).toBe(201);
    const fact = await api.json('/api/events/00000000-0000-4000-8000-0000000000e1');
    expect(fact.metadata.http).toEqual({
      requestId: answer.headers.get('x-request-id'),
      clientRequestId: 'client-chose-this',
      key: 'ian-ingest',
    });
    expect(fact.metadata.http.requestId).toMatch(UUID);
  });
});

describe('bodies that never end, and clients that leave', () => {
  const head = (length: number) =>
    `POST /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${api.keys.ingest.key}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nX-Request-Id: probe-slow`;

  it('a body that stops arriving: 408 request_timeout within the body timeout, the connection closed, and an access-log entry', async () => {
    const { response, closedAfterMs } = await rawRequest(head(1000), '{"eventId":', 'wait');
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(response).toContain('"code":"request_timeout"');
    expect(closedAfterMs).toBeLessThan(10_000);
    expect(accessLog()).toContainEqual(expect.objectContaining({ clientRequestId: 'probe-slow', path: '/api/events', status: 408 }));
  });

  it('a client that leaves mid-body: an access-log entry, aborted, with no status', async () => {
    await rawRequest(head(1000).replace('probe-slow', 'probe-gone'), '{"eventId":', 'abort');
    await sleep(300);
    expect(accessLog()).toContainEqual(
      expect.objectContaining({ clientRequestId: 'probe-gone', path: '/api/events', status: null, aborted: true }),
    );
  });

  it('a GET whose body never ends is closed by the server within its request timeout, and logged', async () => {
    const { closedAfterMs } = await rawRequest(
      `GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nX-Request-Id: probe-endless-get`,
      'x',
      'wait',
    );
    expect(closedAfterMs).toBeLessThan(15_000);
    expect(accessLog().some((entry) => entry.clientRequestId === 'probe-endless-get')).toBe(true);
  });
});

describe('headers', () => {
  it('sends no HSTS over plain HTTP', async () => {
    for (const path of ['/', '/api/balances', '/docs/'])
      expect((await api.call(path, { key: api.keys.auditor.key })).headers.get('strict-transport-security')).toBeNull();
  });
});

/**
 * `capflow serve --port 0` as a child process, logging at its most verbose: its structured JSON
 * logs carry a request id and who asked, and no key ever appears in them, nor in the access log,
 * whatever the request did with it (a valid header, a bad one, a key in the query string, an
 * append). SIGTERM stops it with exit 0.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH, REPO_ROOT } from '../../support/cli';
import { EXAMPLE, keysSetting, newKeys, removeScratch, request, scratchDirectory, sleep } from './harness';

jest.setTimeout(180_000);

const keys = newKeys();
const badKey = `cfk_${randomBytes(32).toString('base64url')}`;
let server: ChildProcess;
let url: string;
let stdout = '';
let stderr = '';
let accessLogPath: string;
let exit: Promise<number | null>;

beforeAll(async () => {
  const scratch = scratchDirectory();
  accessLogPath = join(scratch, 'access.ndjson');
  server = spawn(process.execPath, [CLI_PATH, 'serve', '--store', `sqlite:${join(scratch, 'serve.db')}`, '--port', '0', '--no-ingest'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      KAFKA_BROKERS: '',
      CAPFLOW_API_KEYS: keysSetting(keys),
      CAPFLOW_ACCESS_LOG: accessLogPath,
      CAPFLOW_LOG_LEVEL: 'trace',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  exit = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  for (;;) {
    const found = /API\s+(http:\/\/[^\s/]+)\/api/.exec(stdout);
    if (found) {
      url = found[1];
      break;
    }
    if (server.exitCode !== null || Date.now() > deadline) throw new Error(`capflow serve did not start: ${stdout}\n${stderr}`);
    await sleep(100);
  }
});
afterAll(async () => {
  if (server.exitCode === null) server.kill('SIGKILL');
  removeScratch();
});

it('serves, logs JSON lines with a request id and who asked, never a key, and stops on SIGTERM', async () => {
  // the banner names no key when keys are configured
  expect(stdout).not.toContain('keys for this run only');
  const imported = await request(url, '/api/events', {
    key: keys.ingest.key,
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: readFileSync(EXAMPLE),
  });
  expect(imported.status).toBe(200);
  for (let waited = 0; (await request(url, '/health')).json.readModels?.lag !== 0; waited += 1) {
    expect(waited).toBeLessThan(600);
    await sleep(100);
  }
  const answers = [
    await request(url, '/api/balances?asOf=2025-11-05', { key: keys.auditor.key, headers: { 'x-request-id': 'logs-test-1' } }),
    await request(url, '/api/reports/round-trips?policy=fifo', { key: badKey }),
    await request(url, `/api/reports/round-trips?policy=fifo&api_key=${keys.admin.key}`, { key: keys.auditor.key }),
    await request(url, `/api/events?token=${keys.both.key}`),
    await request(url, '/api/admin/access-log', { key: keys.admin.key }),
    await request(url, '/api/balances', { headers: { authorization: `Basic ${keys.admin.key}` } }),
    await request(url, '/api/events', {
      key: keys.both.key,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"not": "an envelope"}',
    }),
    // a key as a bare query name (the probe's D4): refused, and never logged
    await request(url, `/api/balances?${keys.auditor.key}`, { key: keys.auditor.key, headers: { 'x-request-id': 'logs-test-bare' } }),
  ];
  expect(answers.map((answer) => answer.status)).toEqual([200, 401, 400, 400, 200, 401, 422, 400]);
  // clients that leave in the middle of their bodies: one warn line each, never an error with a stack
  for (let n = 0; n < 3; n += 1) await abandonedPost(url, keys.ingest.key);
  expect(answers[0].json.asOf).toBe('2025-11-05');

  server.kill('SIGTERM');
  expect(await exit).toBe(0);

  const logs = `${stdout}\n${stderr}`;
  for (const secret of [...Object.values(keys).map((key) => key.key), badKey]) {
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain(secret.slice(4, 24)); // not even a piece of one
  }
  expect(logs).not.toContain('2025-11-05'); // query values are not logged either: `asOf=…`
  const texts = stdout.split('\n').filter((line) => line.startsWith('{'));
  const lines = texts.map((line) => JSON.parse(line));
  const request1 = lines.findIndex((line) => line.clientRequestId === 'logs-test-1' && line.res);
  expect(lines[request1]).toMatchObject({
    service: 'capflow-audit-api',
    principal: 'alice-auditor',
    req: { id: answers[0].headers.get('x-request-id') }, // the server's own id, not the client's
  });
  expect(lines[request1]).toMatchObject({
    req: { method: 'GET', url: '/api/balances?asOf=…' },
    res: { statusCode: 200 },
  });
  // one value per field: a reader taking the first "principal" must not find null
  expect(texts[request1].match(/"principal":/g)).toHaveLength(1);
  expect(lines.filter((line) => line.req?.id).length).toBeGreaterThanOrEqual(answers.length);
  for (const text of texts.filter((line) => line.includes('"req":')))
    expect(text.match(/"principal":/g)?.length ?? 0).toBeLessThanOrEqual(1);
  expect(lines.filter((line) => line.level >= 50)).toEqual([]);
  expect(lines.filter((line) => /client closed the request/.test(line.msg ?? ''))).toHaveLength(3);
  for (const line of lines.filter((line) => /client closed the request/.test(line.msg ?? '')))
    expect(JSON.stringify(line)).not.toMatch(/stack|\bat /);

  const accessLog = readFileSync(accessLogPath, 'utf8');
  expect(accessLog).toContain(
    '"clientRequestId":"logs-test-bare","principal":null,"method":"GET","path":"/api/balances","query":["(redacted)"],"status":400',
  );
  for (const secret of [...Object.values(keys).map((key) => key.key), badKey]) expect(accessLog).not.toContain(secret);
  expect(accessLog).toContain(
    `"requestId":"${answers[0].headers.get('x-request-id')}","clientRequestId":"logs-test-1","principal":"alice-auditor","method":"GET","path":"/api/balances","query":["asOf"],"status":200`,
  );
});

/** A POST that sends part of its body, then closes the connection. */
function abandonedPost(base: string, key: string): Promise<void> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"eventId":`,
      );
      setTimeout(() => socket.destroy(), 200);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => setTimeout(resolve, 100));
  });
}

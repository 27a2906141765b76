/**
 * The API benchmark: autocannon against the audit API's reports (round trips under both policies,
 * balances) and its audit trail (a page of events, a page from the middle of the log, one event
 * by id) over a 1,000,000-event store whose read models are built, on SQLite and PostgreSQL.
 *
 *   npm run bench:api -- [--events N] [--stores sqlite,postgres] [--seed S] [--postgres URL]
 *                        [--reuse] [--connections 50] [--duration 12] [--warmup 3] [--runs 1]
 *                        [--only fifo,balances,…] [--all-read-models] [--no-as-of] [--api-main FILE]
 *
 * Target: p99 at most 50 ms at 50 concurrent connections for the reports.
 *
 * The store is built, timed: `capflow import` of the generated file (cached under /tmp, see
 * test/bench/import), then the read models the reports need in one pass (build-read-models.ts:
 * every one but restatements; `replay --projection` takes a pass per projection), or with
 * --all-read-models `capflow replay` of every read model, restatements included (far longer).
 * With --reuse the store is kept and reused, keyed by event count, seed and generator version:
 * the SQLite file in ./data/bench/api/, the PostgreSQL schema `bench_api_n<N>_s<S>_v<V>`, with a
 * note of how long their build took beside them. Without it they are removed afterwards.
 *
 * The API runs as its own process, as deployed (`dist/apps/audit-api/src/main.js`: no projector
 * in it, the read models are up to date), with a generated auditor key and a rate limit far above
 * what the benchmark sends; its log goes to a file. --api-main runs another build of the API
 * (e.g. an earlier commit's, to compare) on the same store under the same load. autocannon runs
 * in this process, so on a small machine it takes a core from the server: the figures are those
 * of client and server together. Each endpoint: one request to check its status (and its size),
 * a warm-up, then the timed run; the server's CPU and this process's (autocannon's) over the run,
 * in cores busy, and the machine's load average are printed beside it. Then one as-of report (the
 * middle of the log's business time) cold, then warm (the API caches views), as single requests.
 */
import autocannon from 'autocannon';
import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { GENERATOR_VERSION } from '../import/generate-events';
import { commonBenchOptions } from '../support/bench-options';
import { eventsFile } from '../support/events-file';
import { busyCores, machineLines, withPostgres, withSchema } from '../support/machine';
import { CAPFLOW, ROOT, timedCapflow } from '../support/timed-run';

const TARGET_P99_MS = 50;
const API_MAIN = join(ROOT, 'dist/apps/audit-api/src/main.js');
/** The middle of the generated log's business time (it spans 730 days from 2024-01-01). */
const AS_OF = '2024-12-31';
const CLOCK_TICKS = 100; // /proc/<pid>/stat's unit on Linux
const TIME = '/usr/bin/time';

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Options {
  events: number;
  seed: number;
  stores: string[];
  postgresUrl: string;
  reuse: boolean;
  connections: number;
  duration: number;
  warmup: number;
  runs: number;
  only: string[] | null;
  allReadModels: boolean;
  asOf: boolean;
  apiMain: string;
}

interface Step {
  what: string;
  seconds: number;
  peakRssMb: number | null;
}

interface BuildNote {
  events: number;
  seed: number;
  generator: number;
  builtAt: string;
  steps: Step[];
}

interface Endpoint {
  id: string;
  label: string;
  path: string;
  report: boolean;
  headers?: Record<string, string>;
}

interface Row {
  label: string;
  status: string;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  bytes: number;
  serverCores: number;
  clientCores: number;
  load: number;
  report: boolean;
}

function options(args: string[]): Options {
  const common = commonBenchOptions(args);
  const positive = (name: string, fallback: number) => {
    const value = Number(common.value(name) ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a positive whole number`);
    return value;
  };
  return {
    events: common.events,
    seed: common.seed,
    stores: common.stores,
    postgresUrl: common.postgresUrl,
    reuse: args.includes('--reuse'),
    connections: positive('--connections', 50),
    duration: positive('--duration', 12),
    warmup: positive('--warmup', 3),
    runs: positive('--runs', 1),
    only:
      common
        .value('--only')
        ?.split(',')
        .map((s) => s.trim()) ?? null,
    allReadModels: args.includes('--all-read-models'),
    asOf: !args.includes('--no-as-of'),
    apiMain: common.value('--api-main') ?? API_MAIN,
  };
}

// ---------------------------------------------------------------------------------------------
// The store: imported and its read models built with the command line, or reused

async function buildStore(url: string, file: string, opts: Options): Promise<BuildNote> {
  const steps: Step[] = [];
  const run = async (what: string, args: string[]) => {
    log(`  ${what}…`);
    const result = await timedCapflow([...args, '--store', url, '--json']);
    if (result.exitCode !== 0) throw new Error(`${what} failed (exit ${result.exitCode}): ${result.stderrTail}`);
    steps.push({ what, seconds: result.seconds, peakRssMb: result.peakRssMb });
    log(`    ${result.seconds.toFixed(1)} s, peak RSS ${result.peakRssMb?.toFixed(0) ?? '?'} MB`);
    return result.stdout;
  };
  const imported = JSON.parse(await run('import', ['import', file]));
  if (imported.accepted !== opts.events) throw new Error(`import accepted ${imported.accepted} of ${opts.events} facts`);
  if (opts.allReadModels) await run('replay (every read model)', ['replay']);
  else {
    const what = 'read models but restatements, one pass';
    log(`  ${what}…`);
    const result = await timedNode(join(__dirname, 'build-read-models.js'), [url]);
    if (result.exitCode !== 0) throw new Error(`${what} failed (exit ${result.exitCode}): ${result.stderrTail}`);
    steps.push({ what, seconds: result.seconds, peakRssMb: result.peakRssMb });
    log(`    ${result.seconds.toFixed(1)} s, peak RSS ${result.peakRssMb?.toFixed(0) ?? '?'} MB`);
  }
  return { events: opts.events, seed: opts.seed, generator: GENERATOR_VERSION, builtAt: new Date().toISOString(), steps };
}

/** Runs a node script, timed from spawn to exit, with its peak RSS from /usr/bin/time -v. */
async function timedNode(
  script: string,
  args: string[],
): Promise<{ seconds: number; exitCode: number | null; stderrTail: string; peakRssMb: number | null }> {
  const useTime = existsSync(TIME);
  const [command, commandArgs] = useTime ? [TIME, ['-v', process.execPath, script, ...args]] : [process.execPath, [script, ...args]];
  const started = process.hrtime.bigint();
  const child = spawn(command, commandArgs, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-64 * 1024)));
  const exitCode = await new Promise<number | null>((done) => child.on('close', done));
  const rss = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(stderr);
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    exitCode,
    stderrTail: stderr
      .split('\n')
      .filter((l) => l.trim() && !/^\s+\S.*:\s/.test(l))
      .slice(-5)
      .join('\n'),
    peakRssMb: rss ? Number(rss[1]) / 1024 : null,
  };
}

interface PreparedStore {
  url: string;
  note: BuildNote;
  reused: boolean;
  remove(): Promise<void>;
}

async function prepareSqlite(file: string, opts: Options): Promise<PreparedStore> {
  if (!opts.reuse) {
    const dir = mkdtempSync('/tmp/capflow-bench-api-');
    const url = `sqlite:${join(dir, 'bench.db')}`;
    const note = await buildStore(url, file, opts);
    return { url, note, reused: false, remove: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const dir = join(ROOT, 'data/bench/api');
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${reuseKey(opts)}${opts.allReadModels ? '-all' : ''}`);
  const notePath = `${base}.build.json`;
  const url = `sqlite:${base}.db`;
  if (existsSync(notePath) && existsSync(`${base}.db`)) {
    log(`  reusing ${base}.db`);
    return { url, note: JSON.parse(readFileSync(notePath, 'utf8')), reused: true, remove: async () => undefined };
  }
  for (const suffix of ['.db', '.db-wal', '.db-shm', '.build.json']) rmSync(`${base}${suffix}`, { force: true });
  const note = await buildStore(url, file, opts);
  writeFileSync(notePath, `${JSON.stringify(note, null, 2)}\n`);
  return { url, note, reused: false, remove: async () => undefined };
}

async function preparePostgres(file: string, opts: Options): Promise<PreparedStore> {
  const schema = opts.reuse
    ? `bench_api_${reuseKey(opts).replace(/-/g, '_')}${opts.allReadModels ? '_all' : ''}`
    : `bench_api_${process.pid}_${Date.now().toString(36)}`;
  const url = withSchema(opts.postgresUrl, schema);
  const drop = () =>
    withPostgres(opts.postgresUrl, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined);
  if (!opts.reuse) {
    const note = await buildStore(url, file, opts);
    return { url, note, reused: false, remove: drop };
  }
  const dir = join(ROOT, 'data/bench/api');
  mkdirSync(dir, { recursive: true });
  const notePath = join(dir, `${schema}.postgres.build.json`);
  const exists = await withPostgres(
    opts.postgresUrl,
    async (client) => (await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema])).rowCount === 1,
  );
  if (exists && existsSync(notePath)) {
    log(`  reusing schema ${schema}`);
    return { url, note: JSON.parse(readFileSync(notePath, 'utf8')), reused: true, remove: async () => undefined };
  }
  await drop();
  rmSync(notePath, { force: true });
  const note = await buildStore(url, file, opts);
  writeFileSync(notePath, `${JSON.stringify(note, null, 2)}\n`);
  return { url, note, reused: false, remove: async () => undefined };
}

function reuseKey(opts: Options): string {
  return `n${opts.events}-s${opts.seed}-v${GENERATOR_VERSION}`;
}

// ---------------------------------------------------------------------------------------------
// The API process

interface Server {
  url: string;
  pid: number;
  child: ChildProcess;
  logPath: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startServer(apiMain: string, storeUrl: string, dir: string, keyEntry: string): Promise<Server> {
  const port = await freePort();
  const logPath = join(dir, 'server.log');
  const out = openSync(logPath, 'w');
  const child = spawn(process.execPath, [apiMain], {
    cwd: ROOT,
    env: {
      ...process.env,
      CAPFLOW_STORE: storeUrl,
      CAPFLOW_API_HOST: '127.0.0.1',
      CAPFLOW_API_PORT: String(port),
      CAPFLOW_API_KEYS: keyEntry,
      CAPFLOW_API_RATE_LIMIT: '10000000',
      CAPFLOW_ACCESS_LOG: join(dir, 'access-log.ndjson'),
    },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`the API exited (${exited}) before it served /health:\n${tail(logPath)}`);
    const health = await get(`${url}/health`, {}).catch(() => null);
    if (health?.status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the API did not serve /health within 120 s:\n${tail(logPath)}`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  return { url, pid: child.pid!, child, logPath, stop };
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-10).join('\n');
  } catch {
    return '';
  }
}

/** The server's CPU seconds so far (user + system), from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime (fields 14, 15)
}

/** A line of /proc/<pid>/status in MB (VmHWM: peak RSS; VmRSS: now). */
function memoryMb(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ms: number;
}

/** One GET without a client-side timeout (an as-of report may take minutes). */
function get(url: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------
// The load

async function measure(server: Server, endpoint: Endpoint, auth: Record<string, string>, opts: Options): Promise<Row> {
  const url = `${server.url}${endpoint.path}`;
  const headers = { ...auth, ...endpoint.headers };
  const first = await get(url, headers);
  const empty = { requestsPerSecond: 0, p50: 0, p90: 0, p99: 0, max: 0, non2xx: 0, errors: 0, serverCores: 0, clientCores: 0 };
  const expected = endpoint.headers?.['if-none-match'] ? 304 : 200;
  if (first.status !== expected) {
    log(`  ${endpoint.label}: ${first.status} ${first.body.toString('utf8').slice(0, 300)}`);
    return {
      label: endpoint.label,
      status: String(first.status),
      bytes: first.body.length,
      load: loadavg()[0],
      report: endpoint.report,
      ...empty,
    };
  }
  log(`  ${endpoint.label}: warm-up ${opts.warmup} s, then ${opts.duration} s at ${opts.connections} connections…`);
  const load = { url, connections: opts.connections, headers, timeout: 120 };
  await autocannon({ ...load, duration: opts.warmup });
  const load1 = loadavg()[0];
  const cpuBefore = cpuSeconds(server.pid);
  const clientBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await autocannon({ ...load, duration: opts.duration });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const serverCores = (cpuSeconds(server.pid) - cpuBefore) / wall;
  const client = process.cpuUsage(clientBefore);
  const clientCores = (client.user + client.system) / 1e6 / wall;
  return {
    label: endpoint.label,
    status: String(first.status),
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: endpoint.headers?.['if-none-match'] ? result.non2xx - (result.statusCodeStats['304']?.count ?? 0) : result.non2xx,
    errors: result.errors + result.timeouts,
    bytes: first.body.length,
    serverCores,
    clientCores,
    load: load1,
    report: endpoint.report,
  };
}

function table(rows: Row[]): string[] {
  const header = [
    'endpoint',
    'status',
    'req/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'non-2xx',
    'errors',
    'bytes',
    'server CPU',
    'client CPU',
    'load 1m',
    'target',
  ];
  const body = rows.map((row) => [
    row.label,
    row.status,
    row.requestsPerSecond.toFixed(1),
    String(row.p50),
    String(row.p90),
    String(row.p99),
    String(row.max),
    String(row.non2xx),
    String(row.errors),
    row.bytes.toLocaleString('en-US'),
    `${row.serverCores.toFixed(2)} cores`,
    `${row.clientCores.toFixed(2)} cores`,
    row.load.toFixed(2),
    row.report
      ? row.status !== '200' || row.p99 > TARGET_P99_MS
        ? `p99 > ${TARGET_P99_MS} ms: missed`
        : `p99 ≤ ${TARGET_P99_MS} ms: met`
      : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const line = (cells: string[]) =>
    `  ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}

async function benchStore(store: string, prepared: PreparedStore, opts: Options): Promise<string[]> {
  const lines = [`${store} (${prepared.reused ? 'reused; built' : 'built'} ${prepared.note.builtAt})`];
  for (const step of prepared.note.steps)
    lines.push(`  ${step.what.padEnd(40)} ${step.seconds.toFixed(1).padStart(7)} s   peak RSS ${step.peakRssMb?.toFixed(0) ?? '?'} MB`);

  const key = `cfk_${randomBytes(32).toString('base64url')}`;
  const keyEntry = `bench:auditor:${createHash('sha256').update(key).digest('hex')}`;
  const auth = { authorization: `Bearer ${key}` };
  const dir = mkdtempSync('/tmp/capflow-bench-api-run-');
  log(`${store}: starting the API…`);
  const startedAt = process.hrtime.bigint();
  const server = await startServer(opts.apiMain, prepared.url, dir, keyEntry);
  try {
    if (opts.apiMain !== API_MAIN) lines.push(`  API: ${opts.apiMain}`);
    lines.push(
      `  API started (to /health) in ${(Number(process.hrtime.bigint() - startedAt) / 1e9).toFixed(1)} s, pid ${server.pid}, RSS ${memoryMb(server.pid, 'VmRSS')?.toFixed(0)} MB`,
    );
    const health = JSON.parse((await get(`${server.url}/health`, {})).body.toString('utf8')) as {
      store: { head: number };
      readModels: { position: number | null };
    };
    const head = health.store.head;
    const middle = Math.floor(head / 2);
    const page = JSON.parse((await get(`${server.url}/api/events?after=${middle - 1}&limit=1`, auth)).body.toString('utf8')) as {
      events: { eventId: string }[];
    };
    const eventId = page.events[0].eventId;
    lines.push(
      `  head ${head.toLocaleString('en-US')}, read models at ${health.readModels.position?.toLocaleString('en-US') ?? 'none'}; middle position ${middle} (event ${eventId})`,
    );

    const endpoints: Endpoint[] = [
      { id: 'fifo', label: 'GET /api/reports/round-trips?policy=fifo', path: '/api/reports/round-trips?policy=fifo', report: true },
      {
        id: 'pro_rata',
        label: 'GET /api/reports/round-trips?policy=pro_rata',
        path: '/api/reports/round-trips?policy=pro_rata',
        report: true,
      },
      { id: 'balances', label: 'GET /api/balances', path: '/api/balances', report: true },
      { id: 'events', label: 'GET /api/events?limit=100', path: '/api/events?limit=100', report: false },
      {
        id: 'events-after',
        label: `GET /api/events?limit=100&after=${middle}`,
        path: `/api/events?limit=100&after=${middle}`,
        report: false,
      },
      { id: 'event', label: 'GET /api/events/:id', path: `/api/events/${eventId}`, report: false },
    ];
    // A browser's request (it accepts gzip), and one from a client that holds the report already (when the API gives an ETag)
    endpoints.push({
      id: 'fifo-gzip',
      label: 'GET round-trips?policy=fifo, Accept-Encoding: gzip',
      path: endpoints[0].path,
      report: true,
      headers: { 'accept-encoding': 'gzip' },
    });
    const fifo = await get(`${server.url}${endpoints[0].path}`, auth);
    const etag = fifo.headers.etag;
    if (typeof etag === 'string')
      endpoints.push({
        id: 'fifo-304',
        label: 'GET round-trips?policy=fifo, If-None-Match',
        path: endpoints[0].path,
        report: true,
        headers: { 'if-none-match': etag },
      });
    const chosen = endpoints.filter((endpoint) => opts.only === null || opts.only.includes(endpoint.id));

    for (let run = 1; run <= opts.runs; run++) {
      const rows: Row[] = [];
      for (const endpoint of chosen) rows.push(await measure(server, endpoint, auth, opts));
      lines.push(
        '',
        `  ${opts.connections} connections, ${opts.duration} s each after ${opts.warmup} s of warm-up${opts.runs > 1 ? `: run ${run} of ${opts.runs}` : ''}`,
        ...table(rows),
      );
    }
    lines.push('', `  server peak RSS (VmHWM) after the load: ${memoryMb(server.pid, 'VmHWM')?.toFixed(0)} MB`);

    if (opts.asOf) {
      const path = `/api/reports/round-trips?policy=fifo&asOf=${AS_OF}`;
      log(`  ${path}: cold…`);
      const cold = await get(`${server.url}${path}`, auth);
      const warm = [await get(`${server.url}${path}`, auth), await get(`${server.url}${path}`, auth)];
      const balances = await get(`${server.url}/api/balances?asOf=${AS_OF}`, auth);
      lines.push(
        '',
        `  as of ${AS_OF} (a pass over the log; no target), single requests:`,
        `    GET ${path}   cold ${cold.ms.toFixed(0)} ms (${cold.status}, ${cold.body.length.toLocaleString('en-US')} bytes); warm ${warm.map((w) => `${w.ms.toFixed(1)} ms (${w.status})`).join(', ')}`,
        `    GET /api/balances?asOf=${AS_OF}   from the same cached view: ${balances.ms.toFixed(1)} ms (${balances.status}, ${balances.body.length.toLocaleString('en-US')} bytes)`,
        `  server peak RSS (VmHWM) after the as-of report: ${memoryMb(server.pid, 'VmHWM')?.toFixed(0)} MB`,
      );
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  execFileSync(process.execPath, [CAPFLOW, '--help'], { cwd: ROOT, stdio: 'ignore' }); // build, untimed
  if (!existsSync(opts.apiMain)) throw new Error(`${opts.apiMain} is missing: npm run build`);
  const file = eventsFile(opts.events, opts.seed, log);
  const out = ['capflow API benchmark', '', ...(await machineLines(opts.stores.includes('postgres') ? opts.postgresUrl : null))];
  out.push(
    `  load avg     ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (1, 5, 15 min) at the start`,
    `  busy before  ${(await busyCores(2000))?.toFixed(2) ?? '?'} cores`,
    `  events       ${opts.events.toLocaleString('en-US')} (${file})`,
    `  command      node dist/test/bench/api/api.bench.js ${process.argv.slice(2).join(' ')}`,
    '',
  );
  for (const store of opts.stores) {
    log(`${store}: preparing the store…`);
    const prepared = store === 'sqlite' ? await prepareSqlite(file, opts) : await preparePostgres(file, opts);
    try {
      out.push(...(await benchStore(store, prepared, opts)), '');
    } finally {
      await prepared.remove().catch(() => undefined);
    }
  }
  out.push(
    `  load avg     ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (1, 5, 15 min) at the end`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

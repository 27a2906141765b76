/**
 * What a newcomer sees: `capflow demo` on a terminal (a pseudo-terminal, from util-linux's
 * `script`) prints its banner and short lines, no JSON line per request at the default level, and
 * Ctrl-C stops it; CAPFLOW_LOG_LEVEL=debug shows the requests, still short; with stdout piped,
 * as in CI or a container, `serve` logs JSON lines, one per request.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, REPO_ROOT } from '../support/cli';
import { eventually } from '../support/eventually';

jest.setTimeout(180_000);

interface Running {
  /** Everything written so far, stdout and stderr, with a terminal's CRLF turned into LF. */
  output(): string;
  /** The banner's addresses, once it is printed. */
  started(): Promise<{ base: string; key: string }>;
  /** Ctrl-C on a terminal, SIGTERM otherwise; the exit code. */
  stop(): Promise<number | null>;
}

const running: ChildProcess[] = [];
let scratch: string;
let store: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'capflow-terminal-'));
  store = `sqlite:${join(scratch, 'demo.db')}`;
});
afterAll(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

function capflow(args: string[], options: { terminal: boolean; logLevel?: string }): Running {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CAPFLOW_API_KEYS: '',
    KAFKA_BROKERS: '',
    CAPFLOW_ACCESS_LOG: join(scratch, 'access.ndjson'),
  };
  delete env.CAPFLOW_LOG_LEVEL; // the default level, whatever the test's environment says
  if (options.logLevel) env.CAPFLOW_LOG_LEVEL = options.logLevel;
  const command = [process.execPath, CLI_PATH, ...args];
  // script runs the command on a new pseudo-terminal and copies its screen to our pipe, and our
  // pipe to its keyboard; -e: its exit code is the command's
  const child = options.terminal
    ? spawn('script', ['-qefc', `exec ${command.map(quoted).join(' ')}`, '/dev/null'], {
        cwd: REPO_ROOT,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      })
    : spawn(command[0], command.slice(1), { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const output = () => text.replace(/\r\n/g, '\n');
  return {
    output,
    started: async () => {
      const banner = await eventually(
        () => /page\s+(http:\/\/\S+)\/#key=(cfk_\S+)/.exec(output()) ?? undefined,
        'the banner',
        90_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; the output so far:\n${output()}`);
      });
      return { base: banner[1], key: banner[2] };
    },
    stop: () => {
      if (options.terminal)
        child.stdin!.write('\u0003'); // Ctrl-C, as the banner says
      else child.kill('SIGTERM');
      return exited;
    },
  };
}

function quoted(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A few requests a newcomer's browser and curl would make: the page, a report, one refused. */
async function browse(base: string, key: string): Promise<void> {
  expect((await fetch(`${base}/`)).status).toBe(200);
  await eventually(async () => {
    const health = (await (await fetch(`${base}/health`)).json()) as { readModels: { lag: number | null } };
    return health.readModels.lag === 0 ? true : undefined;
  }, 'the sample projected');
  expect((await fetch(`${base}/api/balances`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  expect((await fetch(`${base}/api/reports/round-trips?policy=fifo`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  expect((await fetch(`${base}/api/balances`)).status).toBe(401);
}

const jsonLines = (output: string) => output.split('\n').filter((line) => line.trimStart().startsWith('{'));

it('demo on a terminal: the banner and short lines, no JSON line per request; Ctrl-C stops it', async () => {
  const demo = capflow(['demo', '--port', '0', '--store', store, '--no-ingest'], { terminal: true });
  const { base, key } = await demo.started();
  await browse(base, key);
  expect(await demo.stop()).toBe(0);
  const output = demo.output();
  expect(output).toMatch(/facts stored, 0 already there, 0 refused/);
  expect(output).toContain(`capflow is serving ${store}`);
  expect(output).toContain('Ctrl-C stops.');
  expect(output).toMatch(/^\d\d:\d\d:\d\d INFO {2}\[AuditApi\] audit API started http=http:\/\/127\.0\.0\.1:\d+ /m);
  expect(jsonLines(output)).toEqual([]);
  expect(output).not.toContain('request completed');
  expect(output).not.toContain('Mapped {'); // Nest's routes, one line each, are for debug
  expect(output).not.toContain('content-type'); // no response headers
});

it('serve on a terminal at debug: every request, in one short line', async () => {
  const serve = capflow(['serve', '--port', '0', '--store', store, '--no-ingest'], { terminal: true, logLevel: 'debug' });
  const { base, key } = await serve.started();
  await browse(base, key);
  expect(await serve.stop()).toBe(0);
  const output = serve.output();
  expect(output).toMatch(/^\d\d:\d\d:\d\d DEBUG request completed GET \/api\/balances → 200 \d+ ms principal=auditor-this-run$/m);
  expect(output).toMatch(/DEBUG request completed GET \/api\/balances → 401 \d+ ms$/m);
  expect(jsonLines(output)).toEqual([]);
});

it('serve with stdout piped: JSON lines, one per request', async () => {
  const serve = capflow(['serve', '--port', '0', '--store', store, '--no-ingest'], { terminal: false });
  const { base, key } = await serve.started();
  await browse(base, key);
  expect(await serve.stop()).toBe(0);
  const lines = jsonLines(serve.output()).map((line) => JSON.parse(line));
  expect(lines).toContainEqual(expect.objectContaining({ service: 'capflow-audit-api', msg: 'audit API started' }));
  const requests = lines.filter((line) => line.msg === 'request completed');
  expect(requests).toContainEqual(
    expect.objectContaining({
      level: 30,
      req: expect.objectContaining({ method: 'GET', url: '/api/balances' }),
      res: expect.objectContaining({ statusCode: 200 }),
    }),
  );
  expect(requests).toContainEqual(expect.objectContaining({ res: expect.objectContaining({ statusCode: 401 }) }));
});

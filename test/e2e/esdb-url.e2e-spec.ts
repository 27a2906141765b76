/**
 * esdb:// store URLs on the command line when no EventStoreDB is there: `verify` and `replay`
 * (and whatever else opens the store) fail within seconds, with exit code 1 and a message that
 * says what is wrong — never a hang. A closed port refuses at once; a port that accepts and
 * never answers is cut off after the URL's connectTimeout (3 s by default).
 */
import { createServer, Server, Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli';

jest.setTimeout(120_000);

/**
 * Well under what a hang would take. The bound also grows with what starting the command line
 * costs on this machine right now (a loaded 2-core machine may be slow, never wrong): the same
 * command on an empty SQLite store, plus the connect timeout and some slack.
 */
const LIMIT_MS = 10_000;
let startupMs: number;
const within = (slackMs: number) => Math.max(LIMIT_MS, startupMs + slackMs);

let scratch: string;
let closedPort: number;
let silent: Server;
let silentPort: number;
const sockets = new Set<Socket>();

const listen = (server: Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'capflow-esdb-'));
  // a port nothing listens on: bind one, then let it go
  const probe = createServer();
  closedPort = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  // a port that accepts connections and never says a word
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.resume();
  });
  silentPort = await listen(silent);
  startupMs = timed(['verify', '--store', `sqlite:${join(scratch, 'empty.db')}`]).ms;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs capflow in a scratch directory (read models default to ./data there) and times it. */
function timed(args: string[], env: Record<string, string | undefined> = {}) {
  const started = Date.now();
  const result = runCli(args, { cwd: scratch, env: { CAPFLOW_STORE: undefined, ...env }, timeoutMs: 60_000 });
  return { ...result, ms: Date.now() - started };
}

describe('capflow with an esdb:// store and no EventStoreDB there', () => {
  it.each([
    ['verify', ['verify']],
    ['replay', ['replay']],
    ['verify --json', ['verify', '--json']],
    ['serve', ['serve', '--no-ingest', '--port', '0']],
  ])('%s fails fast on a closed port: exit 1, "connection refused"', (_, args) => {
    const url = `esdb://127.0.0.1:${closedPort}?tls=false`;
    const result = timed([...args, '--store', url]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`cannot open the EventStoreDB store ${url}`);
    expect(result.stderr).toContain(`cannot reach EventStoreDB at 127.0.0.1:${closedPort}`);
    expect(result.stderr).toMatch(/connection refused/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(result.stdout).toBe('');
    expect(result.ms).toBeLessThan(within(3000));
  });

  it('takes the URL from CAPFLOW_STORE just the same', () => {
    const result = timed(['replay', '--projection', 'balances'], { CAPFLOW_STORE: `esdb://127.0.0.1:${closedPort}?tls=false` });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot reach EventStoreDB at 127\.0\.0\.1:\d+.*connection refused/);
    expect(result.ms).toBeLessThan(within(3000));
  });

  it.each([['verify'], ['replay']])('%s gives up on a port that never answers after the connect timeout', (command) => {
    const result = timed([command, '--store', `esdb://127.0.0.1:${silentPort}?tls=false&connectTimeout=2000`]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`EventStoreDB at 127.0.0.1:${silentPort} did not answer within 2 s`);
    expect(result.ms).toBeLessThan(within(2000 + 3000));
  });

  it('refuses a malformed esdb:// URL before connecting to anything', () => {
    const result = timed(['verify', '--store', 'esdb://127.0.0.1:2113?tls=false&readModels=mysql://db']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/invalid EventStoreDB URL .*readModels= names where read models live beside the log/);
    const noHost = timed(['verify', '--store', 'esdb://?tls=false']);
    expect(noHost.status).toBe(1);
    expect(noHost.stderr).toMatch(/invalid EventStoreDB URL .*it needs a host/);
  });
});

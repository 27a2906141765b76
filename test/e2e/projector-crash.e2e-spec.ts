/**
 * The projector killed for real (SIGKILL) while it follows the log and while a rebuild runs,
 * then restarted: the read models must equal a clean rebuild of the same log, digest for digest.
 * A scenario of generated facts, with late facts and reversals, is imported in slices while the
 * projector process runs beside the importer.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { writeEventsFile } from '../bench/import/generate-events';
import { REPO_ROOT, runCli } from '../support/cli';

jest.setTimeout(600_000);

const TEST_POSTGRES_URL = process.env.CAPFLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const PROJECTOR = join(REPO_ROOT, 'dist/apps/projector/src/main.js');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Status {
  head: number;
  projections: { projection: string; position: number | null; digest: string | null }[];
}

const status = (store: string): Status => JSON.parse(runCli(['projections', '--store', store, '--json']).stdout);
const digests = (s: Status) => Object.fromEntries(s.projections.map((p) => [p.projection, p.digest]));

function startProjector(store: string): ChildProcess {
  return spawn(process.execPath, [PROJECTOR], {
    env: { ...process.env, CAPFLOW_STORE: store, CAPFLOW_PROJECTOR_FLUSH_EVERY: '700', CAPFLOW_PROJECTOR_POLL_MS: '50' },
    stdio: 'ignore',
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function waitCaughtUp(store: string, deadlineMs = 300_000): Promise<Status> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const s = status(store);
    if (s.projections.every((p) => p.position === s.head)) return s;
    if (Date.now() > deadline) throw new Error(`the projector did not catch up: ${JSON.stringify(s)}`);
    await sleep(200);
  }
}

describe.each([
  ['SQLite', (dir: string) => `sqlite:${join(dir, 'crash.db')}`],
  ['PostgreSQL', () => `${TEST_POSTGRES_URL}?schema=crash_${process.pid}_${Date.now()}`],
])('the projector under kill -9, on %s', (_, storeOf) => {
  let dir: string;
  let store: string;
  let slices: string[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'capflow-crash-'));
    store = storeOf(dir);
    const all = join(dir, 'all.ndjson');
    writeEventsFile(all, { events: 12_000, seed: 7, spanDays: 120 });
    const lines = readFileSync(all, 'utf8').trim().split('\n');
    slices = [0, 1, 2, 3].map((i) => {
      const path = join(dir, `slice-${i}.ndjson`);
      writeFileSync(path, `${lines.slice(i * 3000, (i + 1) * 3000).join('\n')}\n`);
      return path;
    });
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    const schema = /schema=(\w+)/.exec(store)?.[1];
    if (schema) {
      const client = new Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });

  it('keeps read models equal to a clean rebuild, killed at random moments while following the log', async () => {
    expect(JSON.parse(runCli(['import', slices[0], '--store', store, '--json']).stdout).accepted).toBe(3000);
    let projector = startProjector(store);
    let kills = 0;
    for (const slice of slices.slice(1)) {
      const importer = spawn(process.execPath, [join(REPO_ROOT, 'apps/capflow/bin/capflow.js'), 'import', slice, '--store', store, '--json'], { stdio: 'ignore' });
      const imported = new Promise((resolve) => importer.once('exit', resolve));
      for (let i = 0; i < 4; i++) {
        await sleep(150 + Math.floor(Math.random() * 600));
        await kill(projector);
        kills += 1;
        projector = startProjector(store);
      }
      expect(await imported).toBe(0);
    }
    const followed = await waitCaughtUp(store);
    await kill(projector);
    expect(kills).toBeGreaterThanOrEqual(10);
    expect(followed.head).toBe(12_000);

    const rebuilt = JSON.parse(runCli(['replay', '--store', store, '--json']).stdout);
    expect(rebuilt.position).toBe(12_000);
    expect(digests(followed)).toEqual(rebuilt.projections);
  });

  it('serves the old read models while a rebuild is killed, and a restart leaves them equal to a clean rebuild', async () => {
    const before = await waitCaughtUp(store);
    for (let round = 0; round < 3; round++) {
      const rebuild = spawn(process.execPath, [join(REPO_ROOT, 'apps/capflow/bin/capflow.js'), 'replay', '--store', store, '--flush-every', '500', '--json'], {
        stdio: 'ignore',
      });
      await sleep(300 + Math.floor(Math.random() * 1500));
      await kill(rebuild);
      expect(digests(status(store))).toEqual(digests(before)); // the old generation is still what is served
    }
    const projector = startProjector(store);
    const after = await waitCaughtUp(store);
    await kill(projector);
    expect(digests(after)).toEqual(digests(before));
    const clean = JSON.parse(runCli(['replay', '--store', store, '--json']).stdout);
    expect(clean.projections).toEqual(digests(before));
  });
});

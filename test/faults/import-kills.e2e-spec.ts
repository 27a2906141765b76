/**
 * `capflow import` killed with `kill -9` mid-file, again and again, then run once more to the
 * end: the store ends up with exactly what one uninterrupted import stores, at the same
 * positions, and verifies. An import commits in transactions of its own size, so each kill
 * leaves a prefix of the file stored and the next run skips it as duplicates.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, REPO_ROOT, runCli } from '../support/cli';
import { dropFaultSchemas, postgresStoreUrl, printFigures } from '../support/faults';
import { outcomeOf, workload, Workload } from '../support/fault-workload';
import { storedEvents, storeHead } from '../support/kafka';

jest.setTimeout(1_200_000);

const KILLS = 20;

let scratch: string;
let work: Workload;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'capflow-faults-import-'));
  work = workload(scratch, 'import', 120_000);
});
afterAll(async () => {
  await dropFaultSchemas();
  rmSync(scratch, { recursive: true, force: true });
});

/** Starts an import and SIGKILLs it after `ms`, unless it finished first. */
async function importKilledAfter(store: string, ms: number): Promise<{ killed: boolean; head: number }> {
  const child = spawn(process.execPath, [CLI_PATH, 'import', work.file, '--store', store, '--json'], { cwd: REPO_ROOT, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const signal = await exited;
  clearTimeout(timer);
  return { killed: signal === 'SIGKILL', head: await storeHead(store) };
}

describe.each([
  ['SQLite', () => `sqlite:${join(scratch, 'import.db')}`],
  ['PostgreSQL', () => postgresStoreUrl('import')],
])('capflow import on %s under kill -9', (name, storeUrl) => {
  it(`killed mid-file ${KILLS} times, then run to completion: what one import stores, at the same positions`, async () => {
    const started = Date.now();
    const store = storeUrl();
    let random = 20251207;
    const next = () => (random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const heads: number[] = [];
    let kills = 0;
    // random moments within the first half of what an uninterrupted import takes: each run
    // stores a transaction of 20,000 lines or none, and re-reads what earlier runs stored
    for (let attempt = 0; kills < KILLS && attempt < 2 * KILLS; attempt++) {
      const run = await importKilledAfter(store, 300 + next() * 0.5 * work.importMs);
      if (run.killed) {
        kills += 1;
        heads.push(run.head);
      }
    }
    const last = runCli(['import', work.file, '--store', store, '--json'], { timeoutMs: 600_000 });
    expect([0, 2]).toContain(last.status); // 2: the invalid records were refused, as in the reference
    const outcome = await outcomeOf(store, work, {}, 'skip');
    const positions = (events: { eventId: string; position: number }[]) => events.map((e) => `${e.position}:${e.eventId}`);
    expect(positions(await storedEvents(store))).toEqual(positions(await storedEvents(work.reference)));
    printFigures(`import kill -9 (${name})`, { kills, started, expected: work.referenceIds.length, outcome });
    process.stderr.write(`store head at each kill: ${heads.join(' ')}\n`);
    expect(kills).toBe(KILLS);
    expect(outcome).toMatchObject({ lost: 0, doubled: 0, extra: 0 });
  });
});

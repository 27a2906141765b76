/**
 * PostgreSQL's postmaster killed with `kill -9` while `capflow ingest` appends to it, and started
 * again on the same data directory a few seconds later. Meanwhile the ingest process answers 503
 * on /health, naming the store; it stays up, and once the database is back it resumes by itself:
 * every valid fact stored once, every invalid one dead-lettered once, the chain verifying.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultEnv, OwnBroker, OwnPostgres, printFigures } from '../support/faults';
import { outcomeOf, publishRecords, referenceIds, workload, Workload } from '../support/fault-workload';
import { eventually, sleep, startIngest, storeHead, uniqueTopic } from '../support/kafka';

jest.setTimeout(1_200_000);

let scratch: string;
let broker: OwnBroker;
let postgres: OwnPostgres;
let work: Workload;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'capflow-faults-pg-'));
  broker = OwnBroker.start(join(scratch, 'broker'));
  postgres = await OwnPostgres.create();
  work = workload(scratch, 'pg', 40_000);
});
afterAll(() => {
  broker?.stop();
  postgres?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

async function health(base: string): Promise<{ status: number; body: { store?: { status: string; error?: string } } }> {
  const response = await fetch(`${base}/health`);
  return { status: response.status, body: (await response.json()) as { store?: { status: string; error?: string } } };
}

it('ingest reports 503 while the database is down and resumes without a restart of its own', async () => {
  const started = Date.now();
  const store = postgres.url;
  const topic = uniqueTopic('pg-crash');
  const env = faultEnv(broker, topic, 1, 262_144);
  await publishRecords(broker.brokers, topic, work.records);
  const ingest = startIngest(store, env);
  try {
    const base = await ingest.url();
    const expected = (await referenceIds(work)).length;
    const crashes: { headAtKill: number; unhealthyWithin: number }[] = [];
    for (let crash = 0; crash < 2; crash++) {
      const target = Math.floor((expected * (crash + 1)) / 3);
      await eventually(async () => ((await storeHead(store)) >= target ? true : undefined), `${target} events stored`, 300_000);
      const headAtKill = await storeHead(store);
      postgres.kill9();
      const killed = Date.now();
      const down = await eventually(async () => {
        const answer = await health(base);
        return answer.status === 503 ? answer : undefined;
      }, '503 on /health while PostgreSQL is down');
      expect(down.body.store?.status).toBe('down');
      crashes.push({ headAtKill, unhealthyWithin: Date.now() - killed });
      await sleep(3000); // down for a while: appends fail, batches are consumed again later
      expect((await health(base)).status).toBe(503);
      expect(ingest.child.exitCode).toBeNull();
      postgres.start();
      await eventually(async () => ((await health(base)).status === 200 ? true : undefined), '/health 200 once PostgreSQL is back');
    }
    await eventually(async () => ((await storeHead(store)) >= expected ? true : undefined), `${expected} events stored`, 600_000);
    const outcome = await outcomeOf(store, work, env, 'by-offset');
    expect(ingest.child.exitCode).toBeNull(); // the same process throughout
    printFigures('PostgreSQL postmaster kill -9 during ingest', { kills: crashes.length, started, expected, outcome });
    process.stderr.write(`postmaster kills: ${JSON.stringify(crashes)}\n`);
    expect(outcome).toEqual({ lost: 0, doubled: 0, extra: 0, deadLetters: work.rejected.length });
    expect(crashes.every((c) => c.headAtKill < expected)).toBe(true);
  } catch (error) {
    process.stderr.write(`ingest exit ${ingest.child.exitCode} ${ingest.child.signalCode}; its last lines:\n${ingest.logs.slice(-30).join('\n')}\n`);
    throw error;
  } finally {
    await ingest.stop();
  }
});

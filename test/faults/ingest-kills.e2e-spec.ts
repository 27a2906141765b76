/**
 * `capflow ingest` killed with `kill -9`, over and over, while it appends: on SQLite and on
 * PostgreSQL, half the kills aimed at an open append transaction (the append probe says when one
 * is open; the kill follows within a millisecond or so), half at random moments. Each kill's
 * landing is read back from the probe's last line, and a kill inside a transaction is confirmed
 * by the store: its head is where the transaction found it, nothing of it committed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropFaultSchemas, faultEnv, landingOf, OwnBroker, postgresStoreUrl, printFigures, untilCommittedBeyond, untilTransactionOpen } from '../support/faults';
import { outcomeOf, publishRecords, referenceIds, workload, Workload } from '../support/fault-workload';
import { eventually, sleep, startIngest, storeHead, uniqueTopic } from '../support/kafka';

jest.setTimeout(1_800_000);

const KILLS = Number(process.env.CAPFLOW_FAULT_KILLS ?? 50); // per store: 100 in all

let scratch: string;
let broker: OwnBroker;
let work: Workload;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'capflow-faults-ingest-'));
  broker = OwnBroker.start(join(scratch, 'broker'));
  work = workload(scratch, 'kills', Number(process.env.CAPFLOW_FAULT_FACTS ?? 60_000));
});
afterAll(async () => {
  await dropFaultSchemas();
  broker?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const stores: [string, () => string][] = [
  ['SQLite', () => `sqlite:${join(scratch, 'kills.db')}`],
  ['PostgreSQL', () => postgresStoreUrl('kills')],
];

describe.each(stores)('capflow ingest on %s under kill -9', (name, storeUrl) => {
  it(`${KILLS} kills, a third or more inside an append transaction: every valid fact stored once, every invalid one dead-lettered once`, async () => {
    const started = Date.now();
    const store = storeUrl();
    const topic = uniqueTopic(`kills-${name.toLowerCase()}`);
    const probe = join(scratch, `${topic}.probe`);
    // about 200 facts a batch: many short transactions, each a chance for a kill to land inside
    const env = faultEnv(broker, topic, 1, 65_536, { CAPFLOW_TEST_APPEND_PROBE: probe });
    await publishRecords(broker.brokers, topic, work.records);
    let random = 20251207; // a fixed seed: the same moments every run
    const next = () => (random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let inside = 0;
    let rolledBack = 0;
    const heads: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const before = await storeHead(store);
      const ingest = startIngest(store, env);
      // wait until this process has stored something, then aim at a transaction or wait at random
      if (!(await untilCommittedBeyond(probe, before, 120_000))) {
        await ingest.kill(); // not left running: jest would wait for it
        throw new Error(`kill ${kill}: no append within 120 s (head ${before})`);
      }
      if (kill % 2 === 1) {
        // a random moment, bounded in facts rather than in time, so that however fast ingest
        // runs the kills never outrun the workload (with waits of up to 300 ms, the 60,000 facts
        // were all stored by kill 38 of 50 in one CI run): past up to 600 more facts, then a few ms
        await untilCommittedBeyond(probe, before + Math.floor(next() * 600), 120_000);
        await sleep(next() * 20);
      } else await untilTransactionOpen(probe, 3000);
      await ingest.kill();
      const landing = landingOf(probe);
      const head = await storeHead(store);
      heads.push(head);
      if (landing.landing === 'inside') {
        inside += 1;
        if (head === landing.openedAt) rolledBack += 1;
      }
    }
    const ingest = startIngest(store, { ...env, CAPFLOW_TEST_APPEND_PROBE: '' });
    try {
      const expected = (await referenceIds(work)).length;
      await eventually(async () => ((await storeHead(store)) >= expected ? true : undefined), `${expected} events stored`, 900_000);
      const outcome = await outcomeOf(store, work, env, 'by-offset');
      printFigures(`ingest kill -9 (${name})`, { kills: KILLS, killsInsideTransaction: inside, started, expected, outcome });
      process.stderr.write(`kills inside a transaction rolled back by the database: ${rolledBack}/${inside}; heads at each kill: ${heads.join(' ')}\n`);
      expect(outcome).toEqual({ lost: 0, doubled: 0, extra: 0, deadLetters: work.rejected.length });
      expect(inside * 3).toBeGreaterThanOrEqual(KILLS);
      expect(heads[heads.length - 1]).toBeLessThan(expected); // every kill came before the end
    } finally {
      await ingest.stop();
    }
  });
});

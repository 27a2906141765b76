/**
 * Several `capflow ingest` members of one group on a six-partition topic, and what happens to a
 * group: a member frozen with SIGSTOP past its session timeout while the other takes its
 * partitions, then resumed with SIGCONT (it wakes up with batches it no longer owns); and three
 * members, one killed with `kill -9` every few seconds and replaced, while they ingest 200,000
 * facts. The facts are partition-safe (see partitionSafeWorkload): their verdicts do not depend
 * on how the partitions interleave, so the store must hold exactly what `capflow import` of the
 * same file stores, and the reports must be the same.
 */
import { KafkaClient, kafkaSettings } from '@capflow/kafka';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { dropFaultSchemas, FAULT_SESSION_TIMEOUT_MS, faultEnv, OwnBroker, postgresStoreUrl, printFigures } from '../support/faults';
import { outcomeOf, partitionSafeWorkload, publishEarlyPhases, publishRecords, referenceIds, Workload } from '../support/fault-workload';
import { eventually, IngestProcess, sleep, startIngest, storeHead, uniqueTopic } from '../support/kafka';

jest.setTimeout(1_800_000);

const PARTITIONS = 6;

let scratch: string;
let broker: OwnBroker;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'capflow-faults-group-'));
  broker = OwnBroker.start(join(scratch, 'broker'));
});
afterAll(async () => {
  await dropFaultSchemas();
  broker?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

// five attempts: with six partitions a reference may come a few batches after what uses it
const groupEnv = (topic: string) => faultEnv(broker, topic, PARTITIONS, 1_048_576, { CAPFLOW_KAFKA_RETRY_ATTEMPTS: '5' });


/** The current reports of a store, as the command line gives them. */
function reports(store: string): string[] {
  return [['balances'], ['report', 'round-trips', '--policy', 'fifo'], ['report', 'round-trips', '--policy', 'pro_rata']].map((args) => {
    const result = runCli([...args, '--store', store, '--json'], { timeoutMs: 600_000 });
    if (result.status !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  });
}

async function expectSameAsImport(store: string, work: Workload, env: Record<string, string>) {
  const outcome = await outcomeOf(store, work, env, 'by-reason');
  expect(outcome).toEqual({ lost: 0, doubled: 0, extra: 0, deadLetters: work.rejected.length });
  expect(reports(store)).toEqual(reports(work.reference));
  return outcome;
}

/** The group's members, each as the number of input-topic partitions assigned to it; none while it rebalances. */
async function groupMembers(groupId: string, topic: string): Promise<number[]> {
  const kafka = new KafkaClient(kafkaSettings({ brokers: broker.brokers, topic }));
  try {
    const group = await kafka.groupMembers(groupId);
    return group.state === 'Stable' ? group.members.map((member) => member.partitions.filter((p) => p.topic === topic).length) : [];
  } finally {
    await kafka.close();
  }
}

async function stopAll(members: IngestProcess[]) {
  for (const member of members) await member.stop();
}

it('a member frozen past its session timeout loses its partitions, wakes up, and nothing is lost or doubled', async () => {
  const started = Date.now();
  const work = partitionSafeWorkload(scratch, 'frozen', 60_000);
  const topic = uniqueTopic('frozen');
  const env = groupEnv(topic);
  const store = postgresStoreUrl('frozen');
  const members = [startIngest(store, env), startIngest(store, env)];
  try {
    await Promise.all(members.map((member) => member.url()));
    await publishEarlyPhases(broker.brokers, topic, work, PARTITIONS, store);
    await publishRecords(broker.brokers, topic, work.records.slice(work.phaseEnds[work.phaseEnds.length - 2]), PARTITIONS);
    const expected = (await referenceIds(work)).length;
    await eventually(async () => ((await storeHead(store)) > expected / 3 ? true : undefined), 'a third stored', 300_000);
    const [frozen, other] = members;
    frozen.child.kill('SIGSTOP');
    const headAtFreeze = await storeHead(store);
    const frozenAt = Date.now();
    // past the session timeout the group moves on: one member left, holding all six partitions
    const takenOver = await eventually(async () => {
      const members = await groupMembers(env.CAPFLOW_KAFKA_GROUP, topic);
      return members.length === 1 && members[0] === PARTITIONS ? Date.now() - frozenAt : undefined;
    }, 'the other member holding every partition');
    await sleep(Math.max(0, 3 * Number(FAULT_SESSION_TIMEOUT_MS) - (Date.now() - frozenAt)));
    const headAtWake = await storeHead(store);
    frozen.child.kill('SIGCONT');
    await eventually(async () => ((await storeHead(store)) >= expected ? true : undefined), `${expected} events stored`, 600_000);
    const outcome = await expectSameAsImport(store, work, env);
    expect(frozen.child.exitCode).toBeNull();
    expect(other.child.exitCode).toBeNull();
    printFigures('ingest member frozen (SIGSTOP) past its session timeout, then SIGCONT; 2 members, 6 partitions', { kills: 1, started, expected, outcome });
    process.stderr.write(`partitions moved ${takenOver} ms after the freeze; stored while it was frozen: ${headAtWake - headAtFreeze}\n`);
  } finally {
    for (const member of members) if (member.child.exitCode === null) member.child.kill('SIGCONT');
    await stopAll(members);
  }
});

it('three members, one killed every few seconds and replaced, while they ingest 200,000 facts', async () => {
  const started = Date.now();
  const work = partitionSafeWorkload(scratch, 'three', Number(process.env.CAPFLOW_FAULT_GROUP_FACTS ?? 200_000));
  const topic = uniqueTopic('three');
  const env = groupEnv(topic);
  const store = postgresStoreUrl('three');
  const members = [startIngest(store, env), startIngest(store, env), startIngest(store, env)];
  let kills = 0;
  try {
    await Promise.all(members.map((member) => member.url()));
    await publishEarlyPhases(broker.brokers, topic, work, PARTITIONS, store);
    const expected = (await referenceIds(work)).length;
    const publishing = publishRecords(broker.brokers, topic, work.records.slice(work.phaseEnds[work.phaseEnds.length - 2]), PARTITIONS);
    let random = 20251207;
    const next = () => (random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const heads: number[] = [];
    while ((await storeHead(store)) < expected * 0.9) {
      await sleep(2000 + next() * 2000);
      const victim = Math.floor(next() * members.length);
      await members[victim].kill();
      kills += 1;
      heads.push(await storeHead(store));
      members[victim] = startIngest(store, env);
    }
    await publishing;
    await eventually(async () => ((await storeHead(store)) >= expected ? true : undefined), `${expected} events stored`, 900_000);
    const outcome = await expectSameAsImport(store, work, env);
    printFigures('three ingest members on 6 partitions, one killed (kill -9) every 2-4 s and replaced', { kills, started, expected, outcome });
    process.stderr.write(`store head at each kill: ${heads.join(' ')}\n`);
    expect(kills).toBeGreaterThanOrEqual(3);
  } finally {
    await stopAll(members);
  }
});

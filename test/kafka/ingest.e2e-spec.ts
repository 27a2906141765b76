/**
 * Kafka ingestion against a real broker (started by the kafka project's setup): the worked example
 * published with `capflow produce` and with kcat (a producer that is not capflow's) leaves what
 * `capflow import` leaves; a payment that arrives before its payee heals through the retry topic;
 * poison records go to the dead-letter topic while their partition keeps flowing; /health,
 * /metrics and SIGTERM.
 */
import { messageKeyOf } from '@capflow/kafka';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT, runCli } from '../support/cli';
import { dlqList, eventually, kafkaEnv, publish, startIngest, storedEvents, storeHead, uniqueTopic } from '../support/kafka';

jest.setTimeout(300_000);

const EXAMPLES = join(REPO_ROOT, 'test/fixtures/contract');
const EXAMPLE = join(EXAMPLES, 'amazon-openai-loop.ndjson');
const EXPECTED = JSON.parse(readFileSync(join(EXAMPLES, 'amazon-openai-loop.expected.json'), 'utf8'));
const TEST_POSTGRES_URL = process.env.CAPFLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

let scratch: string;
let imported: { store: string; summary: { accepted: number; duplicates: number; rejected: { eventId: string; reason: string }[] } };
const schemas: string[] = [];

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'capflow-kafka-'));
  const store = `sqlite:${join(scratch, 'imported.db')}`;
  const result = runCli(['import', EXAMPLE, '--store', store, '--json']);
  expect(result.status).toBe(2);
  imported = { store, summary: JSON.parse(result.stdout) };
});

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  if (schemas.length === 0) return;
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

const json = (args: string[], env: Record<string, string> = {}) => {
  const result = runCli(args, { env });
  if (result.status !== 0) throw new Error(`capflow ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout);
};

/** What the contract says a store holds: each fact's identity and content, not where or when it was recorded. */
const contents = async (store: string) =>
  (await storedEvents(store))
    .map((e) => ({ eventId: e.eventId, type: e.type, streamId: e.streamId, occurredAt: e.occurredAt, source: e.source, data: e.data }))
    .sort((a, b) => a.eventId.localeCompare(b.eventId));

/** Waits until the example is fully handled: every valid fact stored, every invalid one in the DLQ. */
async function exampleIngested(store: string, env: Record<string, string>) {
  const expectedHead = imported.summary.accepted;
  await eventually(async () => ((await storeHead(store)) === expectedHead ? true : undefined), `${expectedHead} events in ${store}`);
  return eventually(() => {
    const letters = dlqList(env);
    return letters.length >= imported.summary.rejected.length ? letters : undefined;
  }, 'the dead-letter records');
}

async function expectSameAsImport(store: string, env: Record<string, string>, letters: Awaited<ReturnType<typeof exampleIngested>>) {
  expect(await contents(store)).toEqual(await contents(imported.store));
  // the duplicate line is stored once; the invalid ones are in the DLQ with import's codes
  expect(letters.map((l) => ({ eventId: l.eventId, reason: l.reason })).sort((a, b) => a.eventId!.localeCompare(b.eventId!))).toEqual(
    imported.summary.rejected.map((r) => ({ eventId: r.eventId, reason: r.reason })).sort((a, b) => a.eventId.localeCompare(b.eventId)),
  );
  expect(json(['balances', '--store', store, '--json'])).toEqual(EXPECTED.balances);
  for (const policy of ['fifo', 'pro_rata']) {
    expect(json(['report', 'round-trips', '--policy', policy, '--store', store, '--json'])).toEqual(EXPECTED[policy]);
  }
  for (const report of ['commitments', 'credits', 'flows']) {
    expect(json(['report', report, '--store', store, '--json'])).toEqual(json(['report', report, '--store', imported.store, '--json']));
  }
  // every stored fact names the Kafka record it came from
  for (const event of await storedEvents(store)) {
    expect(event.metadata).toEqual({
      kafka: expect.objectContaining({
        topic: env.CAPFLOW_KAFKA_TOPIC,
        partition: expect.any(Number),
        offset: expect.stringMatching(/^\d+$/),
      }),
    });
  }
  expect(runCli(['verify', '--store', store]).status).toBe(0);
}

describe.each([
  ['SQLite', () => `sqlite:${join(scratch, `produced-${Date.now()}.db`)}`],
  [
    'PostgreSQL',
    () => {
      const schema = `kafka_${process.pid}_${Date.now()}`;
      schemas.push(schema);
      return `${TEST_POSTGRES_URL}?schema=${schema}`;
    },
  ],
])('the example published with capflow produce, into %s', (_, storeOf) => {
  it('leaves the same store contents and reports as capflow import; invalid lines in the DLQ, the duplicate stored once', async () => {
    const topic = uniqueTopic('produce');
    const env = kafkaEnv(topic, { CAPFLOW_KAFKA_PARTITIONS: '3' });
    const store = storeOf();
    expect(json(['produce', EXAMPLE, '--json'], env)).toEqual({ published: 26, topic });
    const ingest = startIngest(store, env);
    try {
      await ingest.url();
      const letters = await exampleIngested(store, env);
      await expectSameAsImport(store, env, letters);
    } finally {
      expect(await ingest.stop()).toBe(0);
    }
    expect(ingest.logs.some((line) => line.includes('left the consumer group'))).toBe(true);
  });
});

describe('a producer that is not capflow: kcat', () => {
  it('publishes the example (keyed as DESIGN.md says, murmur2 like the Java client) and capflow ingests it', async () => {
    const topic = uniqueTopic('kcat');
    const env = kafkaEnv(topic);
    await publish(topic, [], 3); // the topics, as an operator would create them
    const keys = new Map<string, string>();
    const lines = readFileSync(EXAMPLE, 'utf8')
      .split('\n')
      .filter((line) => line.trim());
    const input = join(scratch, 'kcat-input.txt');
    writeFileSync(input, lines.map((line) => `${messageKeyOf(line, keys) ?? ''}\t${line}`).join('\n') + '\n');
    execFileSync('kcat', ['-P', '-b', env.KAFKA_BROKERS, '-t', topic, '-K', '\t', '-X', 'partitioner=murmur2_random', '-l', input], {
      stdio: 'pipe',
    });
    const store = `sqlite:${join(scratch, 'kcat.db')}`;
    const ingest = startIngest(store, env);
    try {
      await ingest.url();
      const letters = await exampleIngested(store, env);
      await expectSameAsImport(store, env, letters);
    } finally {
      await ingest.stop();
    }
  });
});

const envelope = (eventId: string, type: string, occurredAt: string, data: Record<string, unknown>) =>
  JSON.stringify({ eventId, type, occurredAt, source: 'test', data });
const party = (n: number, partyId: string) =>
  envelope(`00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, 'PartyRegistered', '2025-01-01T00:00:00Z', {
    partyId,
    name: partyId,
    kind: 'other',
  });
const payment = (n: number, paymentId: string, payerId: string, payeeId: string) =>
  envelope(`00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, 'PaymentMade', '2025-02-01T00:00:00Z', {
    paymentId,
    payerId,
    payeeId,
    amount: { amount: '10.00', currency: 'USD' },
    purpose: 'services',
  });

describe('retry topic', () => {
  it('a payment published before the registration of its payee, on another partition, heals through the retry topic', async () => {
    const topic = uniqueTopic('retry');
    const env = kafkaEnv(topic);
    const store = `sqlite:${join(scratch, 'retry.db')}`;
    await publish(topic, [{ key: 'party-payer', value: party(1, 'payer'), partition: 0 }], 3);
    const ingest = startIngest(store, env);
    try {
      const url = await ingest.url();
      await publish(topic, [{ key: 'payment-p1', value: payment(2, 'p1', 'payer', 'payee'), partition: 1 }]);
      // it is refused for now (its payee is unknown) and parked on the retry topic
      await eventually(async () => {
        const metrics = await (await fetch(`${url}/metrics`)).text();
        return /capflow_ingest_routed_total\{topic="retry"\} [1-9]/.test(metrics) ? true : undefined;
      }, 'the payment on the retry topic');
      await publish(topic, [{ key: 'party-payee', value: party(3, 'payee'), partition: 2 }]);
      await eventually(async () => ((await storeHead(store)) === 3 ? true : undefined), 'the payment stored');
      const stored = await storedEvents(store);
      const paid = stored.find((e) => e.type === 'PaymentMade')!;
      expect(paid.metadata).toEqual({
        kafka: {
          topic,
          partition: 1,
          offset: '0',
          delivered: { topic: `${topic}.retry`, partition: expect.any(Number), offset: expect.any(String), attempt: expect.any(Number) },
        },
      });
      expect(stored.map((e) => e.type)).toEqual(['PartyRegistered', 'PartyRegistered', 'PaymentMade']);
      expect(dlqList(env)).toEqual([]);
    } finally {
      await ingest.stop();
    }
  });

  it('a reference that never arrives goes to the DLQ after the bounded attempts', async () => {
    const topic = uniqueTopic('retry-dlq');
    const env = kafkaEnv(topic, { CAPFLOW_KAFKA_RETRY_ATTEMPTS: '3' });
    const store = `sqlite:${join(scratch, 'retry-dlq.db')}`;
    await publish(topic, [{ key: 'payment-p9', value: payment(9, 'p9', 'nobody', 'noone'), partition: 0 }], 3);
    const ingest = startIngest(store, env);
    try {
      const [letter] = await eventually(() => {
        const letters = dlqList(env);
        return letters.length > 0 ? letters : undefined;
      }, 'the payment in the DLQ');
      expect(letter).toMatchObject({ reason: 'unknown_reference', attempt: 3, original: { topic, partition: 0, offset: '0' } });
      expect(await storeHead(store)).toBe(0);
    } finally {
      await ingest.stop();
    }
  });
});

describe('poison records', () => {
  it('go to the DLQ with their code, the original bytes kept, while the partition keeps flowing', async () => {
    const topic = uniqueTopic('poison');
    const env = kafkaEnv(topic);
    const store = `sqlite:${join(scratch, 'poison.db')}`;
    const huge = Buffer.alloc(1024 * 1024, 0x61); // 1 MiB
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0xc3, 0x28, 0x9f]);
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const poisons: { value: Buffer | string | null; reason: string; name: string }[] = [
      { name: 'malformed JSON', value: '{"eventId": ', reason: 'malformed_json' },
      { name: '1 MiB value', value: huge, reason: 'schema_violation' },
      { name: 'binary garbage', value: garbage, reason: 'malformed_json' },
      {
        name: 'wrong types',
        value: JSON.stringify({ eventId: 42, type: ['PartyRegistered'], occurredAt: true, source: {}, data: 'x' }),
        reason: 'schema_violation',
      },
      { name: 'empty value', value: '', reason: 'malformed_json' },
      { name: 'null value (a tombstone)', value: null, reason: 'malformed_json' },
      {
        name: '__proto__ keys',
        value: '{"__proto__":{"polluted":1},"eventId":"00000000-0000-4000-8000-00000000aaaa"}',
        reason: 'schema_violation',
      },
      { name: 'deep nesting', value: deep, reason: 'schema_violation' },
    ];
    // one partition: valid, poison, valid, poison, …: every valid one after a poison must still be stored
    const records = poisons.flatMap((poison, index) => [
      { key: `party-p${index}`, value: party(100 + index, `p${index}`), partition: 0 },
      { key: 'poison', value: poison.value, partition: 0 },
    ]);
    records.push({ key: 'party-last', value: party(999, 'last'), partition: 0 });
    await publish(topic, records, 1);
    const ingest = startIngest(store, env);
    try {
      const url = await ingest.url();
      await eventually(async () => ((await storeHead(store)) === poisons.length + 1 ? true : undefined), 'every valid record stored');
      const letters = await eventually(() => {
        const found = dlqList(env);
        return found.length >= poisons.length ? found : undefined;
      }, 'every poison in the DLQ');
      const byOffset = new Map(letters.map((l) => [Number(l.original!.offset), l]));
      poisons.forEach((poison, index) => {
        const letter = byOffset.get(index * 2 + 1);
        expect({ name: poison.name, reason: letter?.reason }).toEqual({ name: poison.name, reason: poison.reason });
        expect(letter!.detail.length).toBeGreaterThan(0);
        const size = poison.value === null ? 0 : Buffer.byteLength(poison.value);
        expect({ name: poison.name, bytes: letter!.bytes }).toEqual({ name: poison.name, bytes: size });
      });
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'up',
        broker: { status: 'up' },
        store: { status: 'up', head: poisons.length + 1 },
      });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/capflow_ingest_events_total\{outcome="accepted",reason=""\} 9/);
      expect(metrics).toMatch(/capflow_ingest_routed_total\{topic="dlq"\} 8/);
      expect(metrics).toMatch(/capflow_ingest_batch_seconds_bucket/);
      expect(metrics).toMatch(/capflow_ingest_lag\{topic="[^"]+",partition="0"\} 0/);
    } finally {
      expect(await ingest.stop()).toBe(0);
    }
  });
});

describe('capflow dlq replay', () => {
  it('re-publishes a dead-letter record once its cause is fixed; it is then stored', async () => {
    const topic = uniqueTopic('replay');
    const env = kafkaEnv(topic, { CAPFLOW_KAFKA_RETRY_ATTEMPTS: '1' });
    const store = `sqlite:${join(scratch, 'replay.db')}`;
    await publish(
      topic,
      [
        {
          key: 'party-child',
          value: envelope('00000000-0000-4000-8000-000000000c01', 'PartyRegistered', '2025-01-01T00:00:00Z', {
            partyId: 'child',
            name: 'Child',
            kind: 'other',
            parentId: 'parent',
          }),
        },
      ],
      3,
    );
    const ingest = startIngest(store, env);
    try {
      await eventually(() => (dlqList(env).length === 1 ? true : undefined), 'the child in the DLQ');
      const shown = json(['dlq', 'show', '00000000-0000-4000-8000-000000000c01', '--json'], env);
      expect(shown).toMatchObject({
        reason: 'unknown_reference',
        headers: expect.objectContaining({ 'capflow-reason': 'unknown_reference' }),
      });
      expect(JSON.parse(shown.value).data.partyId).toBe('child');
      await publish(topic, [{ key: 'party-parent', value: party(0xc00, 'parent') }]);
      await eventually(async () => ((await storeHead(store)) === 1 ? true : undefined), 'the parent stored');
      expect(json(['dlq', 'replay', '--reason', 'unknown_reference', '--json'], env)).toMatchObject({ replayed: 1 });
      await eventually(async () => ((await storeHead(store)) === 2 ? true : undefined), 'the child stored after the replay');
      // replaying again is harmless: a duplicate
      expect(json(['dlq', 'replay', '--all', '--json'], env)).toMatchObject({ replayed: 1 });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(await storeHead(store)).toBe(2);
    } finally {
      await ingest.stop();
    }
  });

  it('refuses to run without a choice, and names what it cannot find', () => {
    const env = kafkaEnv(uniqueTopic('replay-usage'));
    expect(runCli(['dlq', 'replay'], { env })).toMatchObject({ status: 1, stderr: expect.stringContaining('--all') });
    const missing = spawnSync(process.execPath, [join(REPO_ROOT, 'apps/capflow/bin/capflow.js'), 'dlq', 'show', '7:7'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    expect(missing.status).toBe(1);
  });
});

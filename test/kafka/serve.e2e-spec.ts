/**
 * `capflow serve` with KAFKA_BROKERS set is the whole product in one process: facts published to
 * the input topic are consumed, stored, projected and answered by the API, as `import` would.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, REPO_ROOT, runCli } from '../support/cli';
import { eventually, kafkaEnv, uniqueTopic } from '../support/kafka';

jest.setTimeout(300_000);

const EXAMPLES = join(REPO_ROOT, 'test/fixtures/contract');
const EXAMPLE = join(EXAMPLES, 'amazon-openai-loop.ndjson');
const EXPECTED = JSON.parse(readFileSync(join(EXAMPLES, 'amazon-openai-loop.expected.json'), 'utf8'));

let scratch: string;
beforeAll(() => (scratch = mkdtempSync(join(tmpdir(), 'capflow-serve-kafka-'))));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('consumes the input topic, projects, and serves the same reports as import', async () => {
  const topic = uniqueTopic('serve');
  const env = kafkaEnv(topic, { CAPFLOW_API_PORT: '0', CAPFLOW_ACCESS_LOG: join(scratch, 'access.ndjson') });
  const store = `sqlite:${join(scratch, 'served.db')}`;
  const child = spawn(process.execPath, [CLI_PATH, 'serve', '--store', store], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  try {
    const api = await eventually(() => /API\s+(http:\/\/\S+)\/api/.exec(output)?.[1], `serve's API address in:\n${output}`, 60_000);
    const key = /auditor\s+(cfk_\S+)/.exec(output)?.[1];
    expect(key).toBeDefined();
    expect(output).toMatch(new RegExp(`ingest\\s+consuming ${topic.replace(/\./g, '\\.')}`));

    const produced = runCli(['produce', EXAMPLE], { env });
    expect(produced.status).toBe(0);

    const get = async (path: string) => {
      const response = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${key}` } });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    // the 22 valid facts stored and projected (the 3 invalid ones go to the DLQ)
    await eventually(async () => {
      const health = (await get('/health')).body as { store: { head: number }; readModels: { lag: number | null } };
      return health.store.head === EXPECTED.import.accepted && health.readModels.lag === 0 ? true : undefined;
    }, 'the example stored and projected');
    expect((await get('/api/reports/round-trips?policy=fifo')).body).toEqual(EXPECTED.fifo);
    expect((await get('/api/reports/round-trips?policy=pro_rata')).body).toEqual(EXPECTED.pro_rata);
    expect((await get('/api/balances')).body).toEqual(EXPECTED.balances);
    // an auditor can trace a fact to its Kafka record
    const first = (await get('/api/events?limit=1')).body as { events: { eventId: string; metadata: { kafka?: { topic: string } } }[] };
    expect(first.events[0].metadata.kafka?.topic).toBe(topic);
  } finally {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
});

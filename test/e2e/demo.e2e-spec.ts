/**
 * `capflow demo`, the README's first command: the bundled sample loaded into the embedded store
 * and served — the page, the API with the printed key, the read models caught up.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, REPO_ROOT } from '../support/cli';
import { eventually } from '../support/eventually';

const SAMPLE_FACTS = readFileSync(join(REPO_ROOT, 'apps/capflow/sample/public-deals.ndjson'), 'utf8').split('\n').filter((line) => line.trim()).length;


let scratch: string;
beforeAll(() => (scratch = mkdtempSync(join(tmpdir(), 'capflow-demo-'))));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('loads the sample, serves the page, and answers the printed key with the sample figures', async () => {
  const child = spawn(process.execPath, [CLI_PATH, 'demo', '--port', '0', '--store', `sqlite:${join(scratch, 'demo.db')}`], {
    cwd: REPO_ROOT,
    env: { ...process.env, CAPFLOW_API_KEYS: '', KAFKA_BROKERS: '', CAPFLOW_ACCESS_LOG: join(scratch, 'access.ndjson') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  try {
    const page = await eventually(() => /page\s+(http:\/\/\S+)\/#key=(cfk_\S+)/.exec(output) ?? undefined, `the page's address in:\n${output}`, 60_000);
    const [, base, key] = page;
    expect(output).toContain(`${SAMPLE_FACTS} facts stored, 0 already there, 0 refused`);
    const html = await fetch(`${base}/`);
    expect(html.status).toBe(200);
    expect(await html.text()).toContain('<script src="/assets/app.js"></script>');
    await eventually(async () => {
      const health = (await (await fetch(`${base}/health`)).json()) as { store: { head: number }; readModels: { lag: number | null } };
      return health.store.head === SAMPLE_FACTS && health.readModels.lag === 0 ? true : undefined;
    }, 'the sample projected', 60_000);
    const response = await fetch(`${base}/api/reports/round-trips?policy=fifo`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    const report = (await response.json()) as { investments: { investmentId: string; returnedCash: string }[] };
    expect(report.investments.find((row) => row.investmentId === 'msft-oai-2021')?.returnedCash).toBe('2000000000.00');
    expect((await fetch(`${base}/api/balances`)).status).toBe(401);
  } finally {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
});

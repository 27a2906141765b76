/**
 * The command line as users run it, on the worked example of the contract: `import` with the
 * output and exit codes of TRACING.md, into SQLite and into PostgreSQL; `verify` on an untouched
 * and a tampered store; `events` as an audit trail; `schema`.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT, runCli } from '../support/cli';

jest.setTimeout(120_000);

const EXAMPLES = join(REPO_ROOT, 'test/fixtures/contract');
const EXAMPLE = join(EXAMPLES, 'amazon-openai-loop.ndjson');
const EXPECTED_IMPORT = JSON.parse(readFileSync(join(EXAMPLES, 'amazon-openai-loop.expected.json'), 'utf8')).import;
const TEST_POSTGRES_URL = process.env.CAPFLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

const withoutDetail = (report: { rejected: { detail: string }[] }) => ({
  ...report,
  rejected: report.rejected.map(({ detail, ...rest }) => {
    expect(detail.length).toBeGreaterThan(0);
    return rest;
  }),
});

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'capflow-cli-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each([
  ['SQLite', () => `sqlite:${join(scratch, `example-${Date.now()}.db`)}`],
  ['PostgreSQL', () => `${TEST_POSTGRES_URL}?schema=e2e_${process.pid}_${Date.now()}`],
])('capflow import of the worked example into %s', (_, storeUrl) => {
  let store: string;
  beforeAll(() => {
    store = storeUrl();
  });
  afterAll(async () => {
    const schema = /schema=(\w+)/.exec(store)?.[1];
    if (!schema) return;
    const client = new Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it('prints the expected summary and exits 2, since three lines are rejected', () => {
    const result = runCli(['import', EXAMPLE, '--store', store, '--json']);
    expect(result.status).toBe(2);
    expect(withoutDetail(JSON.parse(result.stdout))).toEqual(EXPECTED_IMPORT);
  });

  it('stores nothing the second time: 0 accepted, 23 duplicates, the same 3 rejected', () => {
    const result = runCli(['import', EXAMPLE, '--store', store, '--json']);
    expect(result.status).toBe(2);
    expect(withoutDetail(JSON.parse(result.stdout))).toEqual({ ...EXPECTED_IMPORT, accepted: 0, duplicates: 23 });
  });

  it('verifies the stored chain', () => {
    const result = runCli(['verify', '--store', store, '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, checked: 22, headPosition: 22, problem: null });
  });

  it('lists the audit trail with provenance, filtered', () => {
    const reversal = runCli(['events', '--store', store, '--type', 'EventReversed', '--json']);
    expect(reversal.status).toBe(0);
    const lines = reversal.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({
        position: 22,
        eventId: '00000000-0000-4000-8000-000000000064',
        streamId: 'payment-orcl-nvda-2',
        type: 'EventReversed',
        metadata: { import: { file: 'amazon-openai-loop.ndjson', line: 22 } },
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    ]);
    const investment = runCli(['events', '--store', store, '--stream', 'investment-amzn-oai', '--format', 'ndjson']);
    expect(investment.stdout.trim().split('\n').map((line) => JSON.parse(line).type)).toEqual([
      'InvestmentCommitted',
      'InvestmentFunded',
    ]);
    // a bare date as the upper bound includes that whole day; the late day-3 payment is found by business time
    const early = runCli(['events', '--store', store, '--occurred-from', '2025-11-03', '--occurred-to', '2025-11-03', '--json']);
    expect(early.stdout.trim().split('\n').map((line) => JSON.parse(line).position)).toEqual([10, 11, 20]);
    // a stream kind or a type the ledger does not have is refused, not answered with nothing
    const company = runCli(['events', '--store', store, '--stream', 'company-amzn']);
    expect([company.status, company.stderr]).toEqual([1, expect.stringContaining('--stream "company-amzn" names no kind of stream')]);
    const sent = runCli(['events', '--store', store, '--type', 'PaymentSent']);
    expect([sent.status, sent.stderr]).toEqual([1, expect.stringContaining('--type "PaymentSent" names no event type')]);
    const table = runCli(['events', '--store', store, '--limit', '2']);
    expect(table.stdout).toMatch(/^position\s+recordedAt\s+occurredAt\s+type\s+stream\s+eventId\s+amount\n/);
    expect(table.stdout).toContain('2 events');
  });
});

describe('capflow command line', () => {
  it('uses CAPFLOW_STORE when --store is not given', () => {
    const db = join(scratch, 'from-env.db');
    const result = runCli(['import', EXAMPLE, '--json'], { env: { CAPFLOW_STORE: `sqlite:${db}` } });
    expect(JSON.parse(result.stdout).accepted).toBe(22);
    expect(runCli(['verify', '--store', `sqlite:${db}`, '--json']).status).toBe(0);
  });

  it('counts every line, skips blank ones and reads CRLF files', () => {
    const lines = readFileSync(EXAMPLE, 'utf8').trim().split('\n');
    const file = join(scratch, 'crlf.ndjson');
    writeFileSync(file, `\r\n${lines.slice(0, 5).join('\r\n')}\r\n  \r\n\t\r\n${lines[25]}\r\n\r\n`);
    const result = runCli(['import', file, '--store', `sqlite:${join(scratch, 'crlf.db')}`, '--json']);
    expect(result.status).toBe(2);
    expect(withoutDetail(JSON.parse(result.stdout))).toEqual({
      accepted: 5,
      duplicates: 0,
      rejected: [{ line: 9, eventId: '00000000-0000-4000-8000-0000000000ca', reason: 'schema_violation' }],
    });
  });

  it('exits 0 when nothing is rejected, and tells people what it did', () => {
    const file = join(scratch, 'clean.ndjson');
    writeFileSync(file, readFileSync(EXAMPLE, 'utf8').split('\n').slice(0, 10).join('\n'));
    const result = runCli(['import', file, '--store', `sqlite:${join(scratch, 'clean.db')}`]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/accepted\s+10\n\s+duplicates\s+0\n\s+rejected\s+0/);
    expect(result.stderr).toBe(''); // no progress bar when stderr is not a terminal
  });

  it('exits 1 when it cannot run: missing file, unreachable store, bad store URL', () => {
    const missing = runCli(['import', join(scratch, 'nope.ndjson'), '--store', `sqlite:${join(scratch, 'x.db')}`, '--json']);
    expect(missing).toMatchObject({ status: 1, stdout: '' });
    expect(missing.stderr).toContain('no such file');

    const started = Date.now();
    const unreachable = runCli(['import', EXAMPLE, '--store', 'postgres://postgres@127.0.0.1:1/none', '--json']);
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toContain('cannot open the PostgreSQL store');
    expect(Date.now() - started).toBeLessThan(30_000);

    const bad = runCli(['verify', '--store', 'mysql://somewhere']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('unknown store URL');
  });

  it('verify names the position of a changed event and exits 2', () => {
    const db = join(scratch, 'tamper.db');
    runCli(['import', EXAMPLE, '--store', `sqlite:${db}`, '--json']);
    const raw = new Database(db);
    raw.exec('DROP TRIGGER events_no_update');
    raw.prepare("UPDATE events SET data = replace(data, '600.00', '6000.00') WHERE position = 8").run();
    raw.close();
    const result = runCli(['verify', '--store', `sqlite:${db}`]);
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/^TAMPERED at position 8 \(modified\)/);
    const anchored = runCli(['verify', '--store', `sqlite:${db}`, '--anchor', 'not-an-anchor']);
    expect(anchored.status).toBe(1);
  });

  it('prints the published JSON Schema', () => {
    const result = runCli(['schema']);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(join(REPO_ROOT, 'libs/contracts/schema/capflow-event.v1.schema.json'), 'utf8')));
  });
});

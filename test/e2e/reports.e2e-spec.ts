/**
 * The reports of TRACING.md's command-line section, on the worked example, into SQLite and into
 * PostgreSQL: `balances --json` and `report round-trips --policy … --json` equal the expected file
 * as JSON values; views as of a business time and as known at a ledger time; the other reports
 * and their formats; replay digests.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT, runCli } from '../support/cli';

jest.setTimeout(180_000);

const EXAMPLES = join(REPO_ROOT, 'test/fixtures/contract');
const EXAMPLE = join(EXAMPLES, 'amazon-openai-loop.ndjson');
const EXPECTED = JSON.parse(readFileSync(join(EXAMPLES, 'amazon-openai-loop.expected.json'), 'utf8'));
const TEST_POSTGRES_URL = process.env.CAPFLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'capflow-reports-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const json = (args: string[]) => {
  const result = runCli(args);
  if (result.status !== 0) throw new Error(`capflow ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout);
};

describe.each([
  ['SQLite', () => `sqlite:${join(scratch, 'reports.db')}`],
  ['PostgreSQL', () => `${TEST_POSTGRES_URL}?schema=reports_${process.pid}_${Date.now()}`],
])('reports on %s', (_, storeOf) => {
  let store: string;
  beforeAll(() => {
    store = storeOf();
    expect(runCli(['import', EXAMPLE, '--store', store, '--json']).status).toBe(2);
  });
  afterAll(async () => {
    const schema = /schema=(\w+)/.exec(store)?.[1];
    if (!schema) return;
    const client = new Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it('balances --json equals the expected file', () => {
    expect(json(['balances', '--store', store, '--json'])).toEqual(EXPECTED.balances);
  });

  it.each(['fifo', 'pro_rata'])('report round-trips --policy %s --json equals the expected file', (policy) => {
    expect(json(['report', 'round-trips', '--policy', policy, '--store', store, '--json'])).toEqual(EXPECTED[policy]);
  });

  it.each(['fifo', 'pro_rata'])('report circular-revenue --policy %s --json equals the expected file (quarters)', (policy) => {
    expect(json(['report', 'circular-revenue', '--policy', policy, '--store', store, '--json'])).toEqual(EXPECTED[`circular_revenue_${policy}`]);
    // months and years add up to the same, from the same tracing
    const byYear = json(['report', 'circular-revenue', '--policy', policy, '--period', 'year', '--store', store, '--json']);
    expect(byYear.rows.map((row: { period: string }) => row.period)).toEqual(EXPECTED[`circular_revenue_${policy}`].rows.map(() => '2025'));
    expect(byYear.rows.map((row: { circularCash: string }) => row.circularCash)).toEqual(
      EXPECTED[`circular_revenue_${policy}`].rows.map((row: { circularCash: string }) => row.circularCash),
    );
  });

  it('report deal-links --json equals the expected file (90 days), and a narrower window links less', () => {
    expect(json(['report', 'deal-links', '--store', store, '--json'])).toEqual(EXPECTED.deal_links);
    const none = json(['report', 'deal-links', '--window-days', '0', '--store', store, '--json']);
    expect(none).toEqual({ asOf: null, windowDays: 0, investments: [] });
  });

  it('the analyst reports as of a date after everything equal the reports as the ledger stands', () => {
    const asOf = '2030-01-01';
    expect(json(['report', 'circular-revenue', '--policy', 'pro_rata', '--as-of', asOf, '--store', store, '--json'])).toEqual({
      ...EXPECTED.circular_revenue_pro_rata,
      asOf,
    });
    expect(json(['report', 'deal-links', '--known-at', '2999-01-01', '--store', store, '--json'])).toEqual(EXPECTED.deal_links);
    expect(json(['report', 'deal-links', '--as-of', '2000-01-01', '--store', store, '--json']).investments).toEqual([]);
  });

  it('a series of round trips and balances: each point is the report --as-of its period end', () => {
    const trips = json(['report', 'round-trips', '--policy', 'pro_rata', '--series', 'month', '--from', '2025-10-15', '--store', store, '--json']);
    expect(trips.points.map((point: { asOf: string }) => point.asOf)).toEqual(['2025-10-31', '2025-11-30']);
    expect(trips.points[1]).toEqual({ asOf: '2025-11-30', investments: EXPECTED.pro_rata.investments });
    const early = json(['report', 'round-trips', '--policy', 'pro_rata', '--as-of', '2025-10-31', '--store', store, '--json']);
    expect(trips.points[0].investments).toEqual(early.investments);
    const balances = json(['balances', '--series', 'quarter', '--store', store, '--json']);
    expect(balances).toEqual({ series: 'quarter', points: [{ asOf: '2025-12-31', parties: EXPECTED.balances.parties }] });
    const csv = runCli(['balances', '--series', 'month', '--csv', '--store', store]).stdout;
    expect(csv.split('\r\n')[0]).toBe('asOf,partyId,group,currency,account,balance');
  });

  it.each([
    [['balances', '--series', 'week'], '--series'],
    [['balances', '--series', 'month', '--from', '2026-01-01', '--to', '2025-01-01'], '--from'],
    [['balances', '--series', 'month', '--from', '1990-01-01', '--to', '2090-01-01'], '600'],
    [['report', 'round-trips', '--policy', 'fifo', '--series', 'month', '--as-of', '2025-11-01'], '--as-of'],
    [['report', 'round-trips', '--policy', 'fifo', '--from', '2025-11-01'], '--from'],
    [['report', 'circular-revenue', '--policy', 'fifo', '--period', 'week'], '--period'],
    [['report', 'deal-links', '--window-days', '3661'], '--window-days'],
    [['report', 'deal-links', '--window-days', '1.5'], '--window-days'],
    [['report', 'deal-links', '--window-days', '-1'], '--window-days'],
  ])('refuses %j, naming %s, exit 1', (args, name) => {
    const result = runCli([...args, '--store', store]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(name);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('answers as of a business time: only what had happened by then', () => {
    const early = json(['report', 'round-trips', '--policy', 'fifo', '--as-of', '2025-11-04', '--store', store, '--json']);
    expect(early.asOf).toBe('2025-11-04');
    expect(early.investments.map((row: { investmentId: string }) => row.investmentId)).toEqual(['amzn-oai']);
    expect(early.investments[0]).toMatchObject({ returnedCash: '150.00', returnedCredits: '300.00', roundTripRatio: 0.45 });
    const balances = json(['balances', '--as-of', '2025-11-01T09:00:00Z', '--store', store, '--json']);
    expect(balances.parties.map((p: { partyId: string }) => p.partyId)).toEqual(['amazon', 'aws', 'nvidia', 'openai', 'oracle']);
    expect(balances.parties.find((p: { partyId: string }) => p.partyId === 'openai').balances).toEqual({ USD: { cash: '100.00', opening_equity: '100.00' } });
    // the same as-of view as the read models when it covers everything
    expect(json(['balances', '--as-of', '2030-01-01', '--store', store, '--json'])).toEqual({ ...EXPECTED.balances, asOf: '2030-01-01' });
  });

  it('answers as known at a ledger time: nothing before the import, everything after it', () => {
    const before = json(['balances', '--known-at', '2000-01-01', '--store', store, '--json']);
    expect(before.parties).toEqual([]);
    const after = json(['report', 'round-trips', '--policy', 'pro_rata', '--known-at', '2999-01-01', '--store', store, '--json']);
    expect(after).toEqual(EXPECTED.pro_rata);
  });

  it("traces one investment's money under both policies", () => {
    const trace = json(['report', 'trace', '--investment', 'nvda-oai', '--store', store, '--json']);
    expect(trace.flows[0]).toMatchObject({ type: 'InvestmentFunded', from: 'nvidia', to: 'openai', amount: { fifo: '500.00', pro_rata: '500.00' } });
    expect(trace.flows.filter((f: { returned: { pro_rata: boolean } }) => f.returned.pro_rata).length).toBeGreaterThan(0);
    expect(runCli(['report', 'trace', '--investment', 'nope', '--store', store]).status).toBe(1);
  });

  it('reports commitments, credits and the flows between groups with their cycles', () => {
    const commitments = json(['report', 'commitments', '--store', store, '--json']);
    expect(commitments.commitments).toEqual([
      expect.objectContaining({ commitmentId: 'oai-aws-7y', committed: '3800.00', billed: '800.00', remaining: '3000.00' }),
    ]);
    expect(commitments.providers).toEqual([{ providerId: 'aws', currency: 'USD', committed: '3800.00', billed: '800.00', remaining: '3000.00', commitments: 1 }]);
    const credits = json(['report', 'credits', '--store', store, '--json']);
    expect(credits.grants).toEqual([expect.objectContaining({ grantId: 'aws-credits-1', granted: '400.00', used: '300.00', expired: '0.00', remaining: '100.00' })]);
    const flows = json(['report', 'flows', '--store', store, '--json']);
    const usd = flows.currencies[0];
    expect(usd.cycles.map((c: { groups: string[] }) => c.groups.join('>'))).toEqual(
      expect.arrayContaining(['amazon>openai>amazon', 'nvidia>openai>oracle>nvidia']),
    );
    expect(runCli(['report', 'flows', '--format', 'dot', '--store', store]).stdout).toMatch(/^digraph capflow_flows \{[\s\S]*color=red/);
    expect(runCli(['report', 'flows', '--format', 'mermaid', '--store', store]).stdout).toMatch(/^flowchart LR\n[\s\S]*linkStyle/);
  });

  it('exports the tabular reports as CSV', () => {
    const csv = runCli(['balances', '--csv', '--store', store]).stdout;
    expect(csv.split('\r\n')[0]).toBe('partyId,group,currency,account,balance');
    expect(csv).toContain('openai,openai,USD,compute_expense,1200.00\r\n');
    const trips = runCli(['report', 'round-trips', '--policy', 'pro_rata', '--csv', '--store', store]).stdout;
    expect(trips).toContain('amzn-oai,amazon,amazon,openai,USD,1000.00,600.00,400.00,306.77,0.00,300.00,0.60677,3800.00');
  });

  it('lists the restatements: the late day-3 payment and the reversal, with the figures they changed', () => {
    const report = json(['report', 'restatements', '--store', store, '--json']);
    expect(report.restatements).toHaveLength(1); // the example was imported in one append
    const [step] = report.restatements;
    expect(step.facts.map((f: { position: number; kind: string }) => [f.position, f.kind])).toEqual([
      [20, 'late'],
      [22, 'reversal'],
    ]);
    expect(step.roundTrips).toContainEqual(
      expect.objectContaining({ report: 'round-trips', policy: 'pro_rata', investmentId: 'amzn-oai', field: 'returnedCash', before: '300.00', after: '306.77' }),
    );
    expect(json(['report', 'restatements', '--as-of', '2025-11-01', '--store', store, '--json']).restatements).toHaveLength(0);
    const table = runCli(['report', 'restatements', '--store', store]).stdout;
    expect(table).toContain('2 facts together');
  });

  it('rebuilds every read model with the same digest every time, equal to the projector’s', () => {
    const followed = json(['projections', '--store', store, '--json']);
    const first = json(['replay', '--store', store, '--json']);
    const second = json(['replay', '--store', store, '--json']);
    expect(second.digest).toBe(first.digest);
    expect(first.projections).toEqual(Object.fromEntries(followed.projections.map((p: { projection: string; digest: string }) => [p.projection, p.digest])));
    const one = json(['replay', '--projection', 'round-trips', '--store', store, '--json']);
    expect(one.projections).toEqual({ 'round-trips': first.projections['round-trips'] });
    expect(json(['report', 'round-trips', '--policy', 'fifo', '--store', store, '--json'])).toEqual(EXPECTED.fifo);
  });
});

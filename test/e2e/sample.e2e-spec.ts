/**
 * The bundled sample `capflow demo` loads (apps/capflow/sample/public-deals.ndjson): it is what
 * its generator builds, imports into a fresh SQLite store with no rejection and no duplicate,
 * verifies, and gives the round trips its README states under both policies, to the cent, with
 * the flow graph's cycles. The expected figures were worked out by hand for the fifo rows (see
 * the sample's README) and recomputed by an independent implementation of TRACING.md
 * (apps/capflow/sample/check-round-trips.mjs); this spec checks the two agree as well.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from '../support/cli';

jest.setTimeout(180_000);

const SAMPLE_DIR = join(REPO_ROOT, 'apps/capflow/sample');
const SAMPLE = join(SAMPLE_DIR, 'public-deals.ndjson');
const LINES = readFileSync(SAMPLE, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');

interface Envelope {
  eventId: string;
  type: string;
  occurredAt: string;
  source: string;
  data: Record<string, unknown>;
}
interface RoundTripRow {
  investmentId: string;
  investorId: string;
  investorGroup: string;
  investeeId: string;
  currency: string;
  committed: string;
  fundedCash: string;
  fundedCredits: string;
  returnedCash: string;
  returnedCapital: string;
  returnedCredits: string;
  roundTripRatio: number | null;
  commitmentsToInvestorGroup: string;
}
interface RoundTrips {
  policy: string;
  asOf: string | null;
  investments: RoundTripRow[];
}

// investmentId → [investorId (its own group), investeeId, committed, fundedCash, fundedCredits, commitmentsToInvestorGroup]
const FUNDED: Record<string, [string, string, string, string, string, string]> = {
  'amzn-ant-2023': ['amazon', 'anthropic', '4000000000.00', '4000000000.00', '0.00', '100000000000.00'],
  'amzn-ant-2024': ['amazon', 'anthropic', '4000000000.00', '4000000000.00', '0.00', '100000000000.00'],
  'amzn-ant-2026': ['amazon', 'anthropic', '25000000000.00', '5000000000.00', '0.00', '100000000000.00'],
  'amzn-oai-2026': ['amazon', 'openai', '50000000000.00', '15000000000.00', '0.00', '138000000000.00'],
  'goog-ant-2023-02': ['google', 'anthropic', '300000000.00', '300000000.00', '0.00', '200000000000.00'],
  'goog-ant-2023-10': ['google', 'anthropic', '2000000000.00', '2000000000.00', '0.00', '200000000000.00'],
  'goog-ant-2025': ['google', 'anthropic', '1000000000.00', '1000000000.00', '0.00', '200000000000.00'],
  'goog-ant-2026': ['google', 'anthropic', '40000000000.00', '10000000000.00', '0.00', '200000000000.00'],
  'lenders-xaispv-2025': ['xai-spv-lenders', 'xai-gpu-spv', '12500000000.00', '12500000000.00', '0.00', '0.00'],
  'msft-ant-2025': ['microsoft', 'anthropic', '5000000000.00', '0.00', '0.00', '30000000000.00'],
  'msft-oai-2019': ['microsoft', 'openai', '1000000000.00', '500000000.00', '500000000.00', '250000000000.00'],
  'msft-oai-2021': ['microsoft', 'openai', '2000000000.00', '2000000000.00', '0.00', '250000000000.00'],
  'msft-oai-2023': ['microsoft', 'openai', '10000000000.00', '8800000000.00', '0.00', '250000000000.00'],
  'nvda-ant-2025': ['nvidia', 'anthropic', '10000000000.00', '0.00', '0.00', '0.00'],
  'nvda-crwv-2023': ['nvidia', 'coreweave', '100000000.00', '100000000.00', '0.00', '0.00'],
  'nvda-crwv-2026': ['nvidia', 'coreweave', '2000000000.00', '2000000000.00', '0.00', '0.00'],
  'nvda-oai-2026': ['nvidia', 'openai', '30000000000.00', '30000000000.00', '0.00', '0.00'],
  'nvda-xaispv-2025': ['nvidia', 'xai-gpu-spv', '2000000000.00', '2000000000.00', '0.00', '0.00'],
  'oai-amd-warrant': ['openai', 'amd', '1600000.00', '0.00', '0.00', '0.00'],
  'oai-crwv-stock': ['openai', 'coreweave', '350000000.00', '0.00', '0.00', '0.00'],
  'others-xaispv-2025': ['xai-spv-equity', 'xai-gpu-spv', '5500000000.00', '5500000000.00', '0.00', '0.00'],
  'sb-oai-2026': ['softbank', 'openai', '30000000000.00', '10000000000.00', '0.00', '0.00'],
};

// investmentId → [returnedCash, returnedCapital, returnedCredits, roundTripRatio], per policy
const RETURNED: Record<'fifo' | 'pro_rata', Record<string, [string, string, string, number | null]>> = {
  fifo: {
    'amzn-ant-2023': ['1208583333.33', '0.00', '0.00', 0.302146],
    'amzn-ant-2024': ['0.00', '0.00', '0.00', 0],
    'amzn-ant-2026': ['0.00', '0.00', '0.00', 0],
    'amzn-oai-2026': ['290816326.53', '0.00', '0.00', 0.019388],
    'goog-ant-2023-02': ['0.00', '0.00', '0.00', 0],
    'goog-ant-2023-10': ['458583333.34', '0.00', '0.00', 0.229292],
    'goog-ant-2025': ['0.00', '0.00', '0.00', 0],
    'goog-ant-2026': ['0.00', '0.00', '0.00', 0],
    'lenders-xaispv-2025': ['0.00', '0.00', '0.00', 0],
    'msft-ant-2025': ['0.00', '0.00', '0.00', null],
    'msft-oai-2019': ['500000000.00', '0.00', '500000000.00', 1],
    'msft-oai-2021': ['2000000000.00', '0.00', '0.00', 1],
    'msft-oai-2023': ['6357200000.01', '0.00', '0.00', 0.722409],
    'nvda-ant-2025': ['0.00', '0.00', '0.00', null],
    'nvda-crwv-2023': ['100000000.00', '0.00', '0.00', 1],
    'nvda-crwv-2026': ['1821751213.32', '0.00', '0.00', 0.910876],
    'nvda-oai-2026': ['0.00', '0.00', '0.00', 0],
    'nvda-xaispv-2025': ['2000000000.00', '0.00', '0.00', 1],
    'oai-amd-warrant': ['0.00', '0.00', '0.00', null],
    'oai-crwv-stock': ['0.00', '0.00', '0.00', null],
    'others-xaispv-2025': ['0.00', '0.00', '0.00', 0],
    'sb-oai-2026': ['0.00', '0.00', '0.00', 0],
  },
  pro_rata: {
    'amzn-ant-2023': ['791206819.25', '0.00', '0.00', 0.197802],
    'amzn-ant-2024': ['380286174.09', '0.00', '0.00', 0.095072],
    'amzn-ant-2026': ['47170460.25', '0.00', '0.00', 0.009434],
    'amzn-oai-2026': ['115168249.39', '0.00', '0.00', 0.007678],
    'goog-ant-2023-02': ['10078187.12', '0.00', '0.00', 0.033594],
    'goog-ant-2023-10': ['67187914.17', '0.00', '0.00', 0.033594],
    'goog-ant-2025': ['33593957.09', '0.00', '0.00', 0.033594],
    'goog-ant-2026': ['68786671.90', '0.00', '0.00', 0.006879],
    'lenders-xaispv-2025': ['0.00', '0.00', '0.00', 0],
    'msft-ant-2025': ['0.00', '0.00', '0.00', null],
    'msft-oai-2019': ['500000000.00', '0.00', '500000000.00', 1],
    'msft-oai-2021': ['2000000000.00', '0.00', '0.00', 1],
    'msft-oai-2023': ['5493792093.91', '0.00', '0.00', 0.624295],
    'nvda-ant-2025': ['0.00', '0.00', '0.00', null],
    'nvda-crwv-2023': ['100000000.00', '0.00', '0.00', 1],
    'nvda-crwv-2026': ['1552632265.99', '0.00', '0.00', 0.776316],
    'nvda-oai-2026': ['484008766.88', '0.00', '0.00', 0.016134],
    'nvda-xaispv-2025': ['1000000000.00', '0.00', '0.00', 0.5],
    'oai-amd-warrant': ['0.00', '0.00', '0.00', null],
    'oai-crwv-stock': ['0.00', '0.00', '0.00', null],
    'others-xaispv-2025': ['0.00', '0.00', '0.00', 0],
    'sb-oai-2026': ['0.00', '0.00', '0.00', 0],
  },
};

/** The full rows the report must print, built from the two tables above. */
function expectedRows(policy: 'fifo' | 'pro_rata'): RoundTripRow[] {
  return Object.keys(FUNDED)
    .sort()
    .map((investmentId) => {
      const [investorId, investeeId, committed, fundedCash, fundedCredits, commitmentsToInvestorGroup] = FUNDED[investmentId];
      const [returnedCash, returnedCapital, returnedCredits, roundTripRatio] = RETURNED[policy][investmentId];
      return {
        investmentId,
        investorId,
        investorGroup: investorId,
        investeeId,
        currency: 'USD',
        committed,
        fundedCash,
        fundedCredits,
        returnedCash,
        returnedCapital,
        returnedCredits,
        roundTripRatio,
        commitmentsToInvestorGroup,
      };
    });
}

let scratch: string;
let store: string;
let imported: { status: number | null; stdout: string; stderr: string };

const json = <T>(args: string[]): T => {
  const result = runCli([...args, '--store', store, '--json']);
  if (result.status !== 0) throw new Error(`capflow ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
};

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'capflow-sample-'));
  store = `sqlite:${join(scratch, 'sample.db')}`;
  imported = runCli(['import', SAMPLE, '--store', store, '--json']);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the bundled sample', () => {
  it('is what its generator builds (deterministic eventIds, stable file)', () => {
    const check = spawnSync(process.execPath, [join(SAMPLE_DIR, 'build-sample.mjs'), '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('holds the sourced deals and the illustrative flows, one envelope a line', () => {
    const envelopes = LINES.map((line) => JSON.parse(line) as Envelope);
    expect(envelopes).toHaveLength(394);
    expect(new Set(envelopes.map((e) => e.eventId.toLowerCase())).size).toBe(envelopes.length);
    const count = (type: string) => envelopes.filter((e) => e.type === type).length;
    expect(
      Object.fromEntries(
        [
          'PartyRegistered',
          'InvestmentCommitted',
          'InvestmentFunded',
          'ComputeCreditsGranted',
          'ComputeCommitmentSigned',
          'UsageBilled',
          'InvoiceSettled',
          'PaymentMade',
        ].map((t) => [t, count(t)]),
      ),
    ).toEqual({
      PartyRegistered: 17,
      InvestmentCommitted: 22,
      InvestmentFunded: 21,
      ComputeCreditsGranted: 1,
      ComputeCommitmentSigned: 13,
      UsageBilled: 155,
      InvoiceSettled: 146,
      PaymentMade: 19,
    });
    // Deals carry their public source; bills, settlements and payments are not public: illustrative.
    for (const envelope of envelopes) {
      const flow = ['UsageBilled', 'InvoiceSettled', 'PaymentMade'].includes(envelope.type);
      if (flow) expect(envelope.source).toBe('illustrative');
      else expect(envelope.source).toMatch(/^(https:\/\/\S+|The Information, .+\(URL in sample README\))$/);
    }
    // In business order, so the tie rule (position) never reorders facts of different days.
    const times = envelopes.map((e) => Date.parse(e.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('imports into a fresh store: exit 0, every line accepted, nothing duplicate or rejected', () => {
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ accepted: LINES.length, duplicates: 0, rejected: [] });
  });

  it('verifies, and a second import stores nothing (all duplicates)', () => {
    expect(json(['verify'])).toMatchObject({ ok: true, checked: LINES.length, headPosition: LINES.length, problem: null });
    const again = runCli(['import', SAMPLE, '--store', store, '--json']);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ accepted: 0, duplicates: LINES.length, rejected: [] });
  });

  it.each(['fifo', 'pro_rata'] as const)('report round-trips --policy %s gives the README figures to the cent', (policy) => {
    const report = json<RoundTrips>(['report', 'round-trips', '--policy', policy]);
    expect(report.policy).toBe(policy);
    expect(report.investments).toEqual(expectedRows(policy));
    // and the contract's conservation: nothing returns that was not funded
    for (const row of report.investments) {
      expect(Number(row.returnedCash) + Number(row.returnedCapital)).toBeLessThanOrEqual(Number(row.fundedCash));
      expect(Number(row.returnedCredits)).toBeLessThanOrEqual(Number(row.fundedCredits));
    }
  });

  it('an independent implementation of TRACING.md gives the same round trips', () => {
    const check = spawnSync(process.execPath, [join(SAMPLE_DIR, 'check-round-trips.mjs'), SAMPLE], { encoding: 'utf8' });
    expect(check.status).toBe(0);
    const independent = JSON.parse(check.stdout) as Record<'fifo' | 'pro_rata', RoundTrips>;
    expect(independent.fifo.investments).toEqual(expectedRows('fifo'));
    expect(independent.pro_rata.investments).toEqual(expectedRows('pro_rata'));
  });

  it('the policies differ where the pools mix money, and agree where a pool held one tag', () => {
    const fifo = json<RoundTrips>(['report', 'round-trips', '--policy', 'fifo']);
    const proRata = json<RoundTrips>(['report', 'round-trips', '--policy', 'pro_rata']);
    const row = (report: RoundTrips, id: string) => report.investments.find((r) => r.investmentId === id)!;
    // Nvidia's $30B into OpenAI: never reached under fifo (older lots pay first), partly home under pro_rata
    expect(row(fifo, 'nvda-oai-2026').returnedCash).toBe('0.00');
    expect(Number(row(proRata, 'nvda-oai-2026').returnedCash)).toBeGreaterThan(0);
    // Google's first $300M was Anthropic's oldest lot: under fifo it paid AWS, not Google Cloud
    expect(row(fifo, 'goog-ant-2023-02').returnedCash).toBe('0.00');
    // Microsoft's 2019 and 2021 money was all OpenAI had when it paid Azure in 2024: home under both
    for (const report of [fifo, proRata]) expect(row(report, 'msft-oai-2021').roundTripRatio).toBe(1);
  });

  it('answers as of a business time: by the end of 2024 only Microsoft and Nvidia money had come home', () => {
    for (const policy of ['fifo', 'pro_rata']) {
      const report = json<RoundTrips>(['report', 'round-trips', '--policy', policy, '--as-of', '2024-12-31T23:59:59Z']);
      const home = report.investments
        .filter((r) => r.returnedCash !== '0.00' || r.returnedCredits !== '0.00')
        .map((r) => [r.investmentId, r.returnedCash, r.returnedCredits]);
      expect(home).toEqual([
        ['msft-oai-2019', '500000000.00', '500000000.00'],
        ['msft-oai-2021', '2000000000.00', '0.00'],
        ['nvda-crwv-2023', '100000000.00', '0.00'],
      ]);
    }
  });

  it('report flows has the direct loops and multi-group cycles through CoreWeave and Nvidia', () => {
    const flows = json<{ currencies: { currency: string; cycles: { groups: string[] }[]; cyclesTruncated: boolean }[] }>([
      'report',
      'flows',
    ]);
    expect(flows.currencies.map((c) => c.currency)).toEqual(['USD']);
    const [usd] = flows.currencies;
    expect(usd.cyclesTruncated).toBe(false);
    expect(usd.cycles.map((c) => c.groups.join('>')).sort()).toEqual(
      [
        'amazon>anthropic>amazon',
        'amazon>openai>amazon',
        'anthropic>google>anthropic',
        'coreweave>nvidia>coreweave',
        'coreweave>nvidia>openai>coreweave',
        'coreweave>nvidia>openai>microsoft>coreweave',
        'microsoft>openai>microsoft',
        'nvidia>xai-gpu-spv>nvidia',
      ].sort(),
    );
    expect(usd.cycles.some((c) => new Set(c.groups).size >= 3)).toBe(true);
  });

  it('reports the commitments, the credits and a trace', () => {
    const commitments = json<{ providers: { providerId: string; committed: string; billed: string }[] }>(['report', 'commitments']);
    expect(commitments.providers.map((p) => [p.providerId, p.committed, p.billed])).toEqual([
      ['aws', '238000000000.00', '907154761.90'],
      ['azure', '280000000000.00', '5779999999.98'],
      ['coreweave', '40000000000.00', '7629146615.52'],
      ['google-cloud', '200000000000.00', '0.00'],
      ['oracle', '300000000000.00', '0.00'],
    ]);
    const credits = json<{ grants: { grantId: string; granted: string; used: string; remaining: string }[] }>(['report', 'credits']);
    expect(credits.grants).toEqual([
      expect.objectContaining({ grantId: 'azure-oai-2019', granted: '500000000.00', used: '500000000.00', remaining: '0.00' }),
    ]);
    const trace = json<{
      flows: {
        type: string;
        from: string;
        to: string;
        amount: { fifo: string; pro_rata: string };
        returned: { fifo: boolean; pro_rata: boolean };
      }[];
    }>(['report', 'trace', '--investment', 'nvda-xaispv-2025']);
    expect(trace.flows.map((f) => [f.type, f.from, f.to, f.amount.fifo, f.amount.pro_rata, f.returned.fifo, f.returned.pro_rata])).toEqual([
      ['InvestmentFunded', 'nvidia', 'xai-gpu-spv', '2000000000.00', '2000000000.00', false, false],
      ['PaymentMade', 'xai-gpu-spv', 'nvidia', '0.00', '500000000.00', false, true],
      ['PaymentMade', 'xai-gpu-spv', 'nvidia', '2000000000.00', '500000000.00', true, true],
    ]);
  });
});

/**
 * Every read endpoint of the audit API on the worked example, in a real SQLite file imported by
 * `capflow import` in two appends (so that a ledger time between them exists), with the read
 * models kept by the API's own projector: balances and round trips equal the contract's expected
 * file; every report, as it stands, as of business times and as known at ledger times, as JSON
 * and as CSV, equals the command line's answer on the same store; the audit trail pages through
 * every event once and equals `capflow events --json`; one event with its provenance; verify,
 * /health and /metrics.
 */
import { join } from 'node:path';
import {
  cli,
  cliImport,
  cliJson,
  EXAMPLE_LINES,
  EXPECTED,
  Json,
  exampleSlice,
  removeScratch,
  scratchDirectory,
  startApi,
  TestApi,
} from './harness';

jest.setTimeout(300_000);

/** The first append holds lines 1–13 of the example (up to 4 November), the second the rest. */
const SPLIT = 14;

let api: TestApi;
let store: string;
/** The ledger time of the first append: the ledger as it stood before the second. */
let betweenAppends: string;

beforeAll(async () => {
  const scratch = scratchDirectory();
  store = `sqlite:${join(scratch, 'example.db')}`;
  expect(cliImport(exampleSlice(scratch, 1, SPLIT), store)).toMatchObject({ accepted: 13, rejected: [] });
  const second = cliImport(exampleSlice(scratch, SPLIT, EXAMPLE_LINES.length + 1), store);
  expect(second).toMatchObject({ accepted: 9, duplicates: 1 });
  api = await startApi({ storeUrl: store });
  await api.caughtUp();
  betweenAppends = (await api.json('/api/events/00000000-0000-4000-8000-00000000000d')).recordedAt;
});
afterAll(async () => {
  await api?.close();
  removeScratch();
});

const withQuery = (path: string, query: Record<string, string>) => {
  const text = new URLSearchParams(query).toString();
  return text === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${text}`;
};

/** Each report: its route, and the command that prints the same. */
const REPORTS: [string, string, string[]][] = [
  ['balances', '/api/balances', ['balances']],
  ['round trips, fifo', '/api/reports/round-trips?policy=fifo', ['report', 'round-trips', '--policy', 'fifo']],
  ['round trips, pro_rata', '/api/reports/round-trips?policy=pro_rata', ['report', 'round-trips', '--policy', 'pro_rata']],
  ['circular revenue, fifo', '/api/reports/circular-revenue?policy=fifo', ['report', 'circular-revenue', '--policy', 'fifo']],
  ['circular revenue, pro_rata, by month', '/api/reports/circular-revenue?policy=pro_rata&period=month', ['report', 'circular-revenue', '--policy', 'pro_rata', '--period', 'month']],
  ['deal links', '/api/reports/deal-links', ['report', 'deal-links']],
  ['deal links, 10 days', '/api/reports/deal-links?windowDays=10', ['report', 'deal-links', '--window-days', '10']],
  ['trace of amzn-oai', '/api/reports/trace/amzn-oai', ['report', 'trace', '--investment', 'amzn-oai']],
  ['trace of nvda-oai', '/api/reports/trace/nvda-oai', ['report', 'trace', '--investment', 'nvda-oai']],
  ['commitments', '/api/reports/commitments', ['report', 'commitments']],
  ['credits', '/api/reports/credits', ['report', 'credits']],
  ['flows', '/api/reports/flows', ['report', 'flows']],
  ['restatements', '/api/reports/restatements', ['report', 'restatements']],
];

describe('reports as the ledger stands', () => {
  it('balances equal the expected file', async () => {
    expect(await api.json('/api/balances')).toEqual(EXPECTED.balances);
  });

  it.each(['fifo', 'pro_rata'])('round trips under %s equal the expected file', async (policy) => {
    expect(await api.json(`/api/reports/round-trips?policy=${policy}`)).toEqual(EXPECTED[policy]);
  });

  it.each(['fifo', 'pro_rata'])('circular revenue under %s equals the expected file', async (policy) => {
    expect(await api.json(`/api/reports/circular-revenue?policy=${policy}`)).toEqual(EXPECTED[`circular_revenue_${policy}`]);
  });

  it('deal links equal the expected file', async () => {
    expect(await api.json('/api/reports/deal-links')).toEqual(EXPECTED.deal_links);
  });

  it.each([
    ['/api/reports/round-trips?policy=fifo&series=month&from=2025-10-01', ['report', 'round-trips', '--policy', 'fifo', '--series', 'month', '--from', '2025-10-01']],
    ['/api/balances?series=quarter&knownAt=2999-01-01', ['balances', '--series', 'quarter', '--known-at', '2999-01-01']],
  ])('%s: the series `capflow` prints', async (path, args) => {
    const [answer, printed] = await Promise.all([api.json(path), cliJson([...args, '--store', store])]);
    expect(answer).toEqual(printed);
    expect(answer.points.length).toBeGreaterThan(0);
  });

  it.each([
    ['/api/balances?series=week', 'series'],
    ['/api/balances?series=month&from=2026-01-01&to=2025-01-01', 'from'],
    ['/api/balances?series=month&from=1990-01-01&to=2090-01-01', '600'],
    ['/api/reports/round-trips?policy=fifo&series=month&asOf=2025-11-01', 'asOf'],
    ['/api/reports/round-trips?policy=fifo&to=2025-11-01', 'to'],
    ['/api/reports/circular-revenue?policy=fifo&period=week', 'period'],
    ['/api/reports/circular-revenue', 'policy'],
    ['/api/reports/deal-links?windowDays=3661', 'windowDays'],
    ['/api/reports/deal-links?windowDays=7.5', 'windowDays'],
  ])('%s: 400 invalid_parameter naming %s', async (path, name) => {
    const answer = await api.call(path, { key: api.keys.auditor.key });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'invalid_parameter', detail: expect.stringContaining(name) });
  });

  it('the admin role reads the reports too', async () => {
    expect(await api.json('/api/balances', api.keys.admin.key)).toEqual(EXPECTED.balances);
  });

  it.each(REPORTS)('%s: the JSON of `capflow … --json` on the same store', async (_, path, args) => {
    const [answer, printed] = await Promise.all([api.json(path), cliJson([...args, '--store', store])]);
    expect(answer).toEqual(printed);
  });

  it('the reports hold what the example holds (the comparisons above compare something)', async () => {
    const trace = await api.json('/api/reports/trace/nvda-oai');
    expect(trace.flows[0]).toMatchObject({
      type: 'InvestmentFunded',
      from: 'nvidia',
      to: 'openai',
      amount: { fifo: '500.00', pro_rata: '500.00' },
    });
    const flows = await api.json('/api/reports/flows');
    expect(flows.currencies[0].cycles.map((cycle: { groups: string[] }) => cycle.groups.join('>'))).toEqual(
      expect.arrayContaining(['amazon>openai>amazon', 'nvidia>openai>oracle>nvidia']),
    );
    expect((await api.json('/api/reports/commitments')).commitments).toEqual([
      expect.objectContaining({ commitmentId: 'oai-aws-7y', billed: '800.00' }),
    ]);
    expect((await api.json('/api/reports/credits')).grants).toEqual([
      expect.objectContaining({ grantId: 'aws-credits-1', remaining: '100.00' }),
    ]);
    const restatements = (await api.json('/api/reports/restatements')).restatements;
    expect(restatements.flatMap((step: { facts: { kind: string }[] }) => step.facts.map((fact) => fact.kind))).toEqual([
      'late',
      'reversal',
    ]);
  });

  it('an investment the ledger does not hold: 404 not_found, as the command line fails', async () => {
    const answer = await api.call('/api/reports/trace/no-such-investment', { key: api.keys.auditor.key });
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ statusCode: 404, code: 'not_found', detail: expect.stringContaining('no-such-investment') });
  });
});

describe('reports as of a business time and as known at a ledger time', () => {
  // Each command line run costs a process start: every report with three views, the two of the
  // expected file with three more.
  const variants = (name: string): [string, Record<string, string>][] => [
    ['asOf a date (its end)', { asOf: '2025-11-04' }],
    ['knownAt between the appends', { knownAt: betweenAppends }],
    ['asOf and knownAt together', { asOf: '2025-11-03', knownAt: betweenAppends }],
    ...(name === 'balances' || name.startsWith('round trips')
      ? ([
          ['asOf an instant', { asOf: '2025-11-05T09:00:00Z' }],
          ['asOf an instant with an offset', { asOf: '2025-11-06T10:00:00+01:00' }],
          ['knownAt before anything', { knownAt: '2000-01-01' }],
        ] as [string, Record<string, string>][])
      : []),
  ];
  const cliFlags = (query: Record<string, string>) =>
    Object.entries(query).flatMap(([name, value]) => [name === 'asOf' ? '--as-of' : '--known-at', value]);

  it.each(REPORTS)('%s: equals the command line with --as-of / --known-at', async (name, path, args) => {
    await Promise.all(
      variants(name).map(async ([variant, query]) => {
        const answer = await api.call(withQuery(path, query), { key: api.keys.auditor.key });
        const printed = await cli([...args, ...cliFlags(query), '--store', store, '--json']).then(
          (stdout) => JSON.parse(stdout),
          (error: Error) => {
            if (/no investment/.test(error.message)) return null; // not in this view: the command fails
            throw error;
          },
        );
        if (printed === null) {
          expect({ variant, status: answer.status, code: answer.json.code }).toEqual({ variant, status: 404, code: 'not_found' });
        } else {
          expect({ variant, status: answer.status, body: answer.json }).toEqual({ variant, status: 200, body: printed });
        }
      }),
    );
  });

  it('a view differs from the ledger as it stands', async () => {
    const early = await api.json('/api/reports/round-trips?policy=fifo&asOf=2025-11-04');
    expect(early.asOf).toBe('2025-11-04');
    expect(early.investments).toEqual([
      expect.objectContaining({ investmentId: 'amzn-oai', returnedCash: '150.00', returnedCredits: '300.00', roundTripRatio: 0.45 }),
    ]);
    const before = await api.json(`/api/balances?knownAt=${encodeURIComponent(betweenAppends)}`);
    expect(before.parties.map((party: { partyId: string }) => party.partyId)).toEqual(['amazon', 'aws', 'nvidia', 'openai', 'oracle']);
    expect(before).not.toEqual(EXPECTED.balances);
    expect(before.parties.find((party: { partyId: string }) => party.partyId === 'nvidia').balances).toEqual({});
    expect((await api.json('/api/balances?knownAt=2000-01-01')).parties).toEqual([]);
    // a view that covers everything is the ledger as it stands
    expect(await api.json('/api/balances?asOf=2030-01-01')).toEqual({ ...EXPECTED.balances, asOf: '2030-01-01' });
    expect(await api.json('/api/reports/round-trips?policy=pro_rata&knownAt=2999-12-31')).toEqual(EXPECTED.pro_rata);
  });
});

describe('pages and filters of round trips and balances', () => {
  /** Every page of `path` at `limit` rows, following `next`. */
  async function pages(path: string, rowsOf: (body: Json) => unknown[], limit: number): Promise<{ rows: unknown[]; count: number }> {
    const rows: unknown[] = [];
    let after: string | null = null;
    for (let count = 1; ; count++) {
      const answer = await api.call(withQuery(path, { limit: String(limit), ...(after === null ? {} : { after }) }), { key: api.keys.auditor.key });
      expect(answer.status).toBe(200);
      expect(rowsOf(answer.json).length).toBeLessThanOrEqual(limit);
      rows.push(...rowsOf(answer.json));
      if (answer.json.next === null) return { rows, count };
      after = answer.json.next;
    }
  }

  it.each([
    ['round trips, pro_rata, as they stand', '/api/reports/round-trips?policy=pro_rata', (body: Json) => body.investments],
    ['round trips, fifo, as of a date', '/api/reports/round-trips?policy=fifo&asOf=2025-11-05', (body: Json) => body.investments],
    ['balances as they stand', '/api/balances', (body: Json) => body.parties],
    ['balances as known between the appends', '/api/balances?knownAt=BETWEEN', (body: Json) => body.parties],
  ])('%s: pages of one row, followed by their cursors, give the whole report', async (_, template, rowsOf) => {
    const path = template.replace('BETWEEN', encodeURIComponent(betweenAppends));
    const whole = await api.json(path);
    expect(rowsOf(whole).length).toBeGreaterThan(1);
    const paged = await pages(path, rowsOf, 1);
    expect(paged.rows).toEqual(rowsOf(whole));
    expect(paged.count).toBe(rowsOf(whole).length);
  });

  it('filters are what the command line answers with the same flags', async () => {
    const cases: [string, string[]][] = [
      ['/api/reports/round-trips?policy=fifo&investorGroup=amazon', ['report', 'round-trips', '--policy', 'fifo', '--investor-group', 'amazon']],
      ['/api/reports/round-trips?policy=pro_rata&investeeId=openai&currency=USD&limit=1', ['report', 'round-trips', '--policy', 'pro_rata', '--investee-id', 'openai', '--currency', 'USD', '--limit', '1']],
      ['/api/balances?group=amazon&currency=USD', ['balances', '--group', 'amazon', '--currency', 'USD']],
      ['/api/balances?partyId=openai&asOf=2025-11-04', ['balances', '--party-id', 'openai', '--as-of', '2025-11-04']],
    ];
    for (const [path, args] of cases) {
      const answer = await api.json(path);
      const printed = JSON.parse(await cli([...args, '--store', store, '--json']));
      expect({ path, body: answer }).toEqual({ path, body: printed });
    }
    const amazon = await api.json('/api/reports/round-trips?policy=fifo&investorGroup=amazon');
    expect(amazon.investments.length).toBeGreaterThan(0);
    expect(amazon.investments.every((row: { investorGroup: string }) => row.investorGroup === 'amazon')).toBe(true);
    const usd = await api.json('/api/balances?currency=USD');
    expect(usd.parties.every((party: { balances: object }) => Object.keys(party.balances).join() === 'USD')).toBe(true);
  });

  it('the command line refuses a bad page or filter, naming the flag, before reading anything', async () => {
    await expect(cli(['report', 'round-trips', '--policy', 'fifo', '--limit', '0', '--store', store])).rejects.toThrow(/--limit takes a whole number from 1 to 10000/);
    await expect(cli(['balances', '--currency', 'usd', '--store', store])).rejects.toThrow(/--currency "usd" is not a currency/);
    const table = await cli(['report', 'round-trips', '--policy', 'fifo', '--limit', '1', '--store', store]);
    expect(table).toMatch(/^1 row\nnext page: --after amzn-oai$/m);
  });

  it.each([
    ['/api/reports/round-trips?policy=fifo&limit=0', 'limit'],
    ['/api/reports/round-trips?policy=fifo&limit=10001', 'limit'],
    ['/api/reports/round-trips?policy=fifo&after=a%20b', 'after'],
    ['/api/reports/round-trips?policy=fifo&investorGroup=-x', 'investorGroup'],
    ['/api/reports/round-trips?policy=fifo&currency=dollars', 'currency'],
    ['/api/balances?partyId=%2Fetc', 'partyId'],
    ['/api/balances?investorGroup=amazon', 'investorGroup'],
  ])('%s: 400 invalid_parameter naming %s', async (path, name) => {
    const answer = await api.call(path, { key: api.keys.auditor.key });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'invalid_parameter', detail: expect.stringContaining(name) });
  });
});

describe('exports', () => {
  const TABULAR = REPORTS.filter(([name]) => name !== 'trace of nvda-oai');

  it.each(TABULAR)('%s as CSV: the bytes of `capflow … --csv`', async (name, path, args) => {
    const [answer, printed] = await Promise.all([
      api.call(withQuery(path, { format: 'csv' }), { key: api.keys.auditor.key }),
      cli([...args, '--csv', '--store', store]),
    ]);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(answer.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z0-9_-]+\.csv"$/);
    expect(answer.text).toBe(printed);
    expect(answer.text.split('\r\n').length).toBeGreaterThan(name === 'restatements' ? 2 : 1);
  });

  it('a CSV as of a business time: the bytes of the command line with --as-of', async () => {
    const [answer, printed] = await Promise.all([
      api.call('/api/reports/round-trips?policy=pro_rata&asOf=2025-11-05&format=csv', { key: api.keys.auditor.key }),
      cli(['report', 'round-trips', '--policy', 'pro_rata', '--as-of', '2025-11-05', '--csv', '--store', store]),
    ]);
    expect(answer.text).toBe(printed);
    expect(answer.text).not.toBe(await cli(['report', 'round-trips', '--policy', 'pro_rata', '--csv', '--store', store]));
  });

  it.each(['dot', 'mermaid'])('the flow graph as %s: the command line’s --format', async (format) => {
    const [answer, printed] = await Promise.all([
      api.call(`/api/reports/flows?format=${format}`, { key: api.keys.auditor.key }),
      cli(['report', 'flows', '--format', format, '--store', store]),
    ]);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(printed);
    expect(answer.text).toMatch(format === 'dot' ? /^digraph capflow_flows \{[\s\S]*color=red/ : /^flowchart LR\n[\s\S]*linkStyle/);
  });
});

describe('the audit trail', () => {
  let trail: Record<string, unknown>[];
  beforeAll(async () => {
    trail = (await cli(['events', '--store', store, '--json']))
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line));
    expect(trail).toHaveLength(22);
  });

  it.each([1, 5, 7, 22, 1000])(
    'pages of %i walk every event exactly once, in order, as `capflow events --json` lists them',
    async (limit) => {
      const seen: Record<string, unknown>[] = [];
      let after: string | null = '0';
      for (let page = 0; after !== null; page += 1) {
        expect(page).toBeLessThan(30);
        const answer: { events: Record<string, unknown>[]; next: string | null } = await api.json(
          `/api/events?limit=${limit}&after=${after}`,
        );
        expect(answer.events.length).toBeLessThanOrEqual(limit);
        if (answer.next !== null) expect(answer.next).toBe(String(answer.events[answer.events.length - 1].position));
        seen.push(...answer.events);
        after = answer.next;
      }
      expect(seen.map((event) => event.position)).toEqual(Array.from({ length: 22 }, (_, index) => index + 1));
      expect(seen).toEqual(trail);
    },
  );

  it('100 events a page by default', async () => {
    expect(await api.json('/api/events')).toEqual({ events: trail, next: null });
  });

  it.each([
    [{ stream: 'investment-amzn-oai' }, ['--stream', 'investment-amzn-oai']],
    [{ type: 'PaymentMade' }, ['--type', 'PaymentMade']],
    [{ occurredFrom: '2025-11-03', occurredTo: '2025-11-05' }, ['--occurred-from', '2025-11-03', '--occurred-to', '2025-11-05']],
    [
      { occurredFrom: '2025-11-04T09:00:00Z', type: 'InvoiceSettled' },
      ['--occurred-from', '2025-11-04T09:00:00Z', '--type', 'InvoiceSettled'],
    ],
    [{ after: '20' }, ['--after', '20']],
  ])('filtered by %j: as `capflow events` filters', async (query, flags) => {
    const answer = await api.json(withQuery('/api/events', query as Record<string, string>));
    const printed = (await cli(['events', ...flags, '--store', store, '--json']))
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line));
    expect(printed.length).toBeGreaterThan(0);
    expect(printed.length).toBeLessThan(22);
    expect(answer).toEqual({ events: printed, next: null });
  });

  it('filtered by ledger time: recordedTo the first append holds its 13 facts, recordedFrom after it the rest', async () => {
    const first = await api.json(`/api/events?recordedTo=${encodeURIComponent(betweenAppends)}`);
    expect(first.events.map((event: { position: number }) => event.position)).toEqual(Array.from({ length: 13 }, (_, index) => index + 1));
    const later = new Date(Date.parse(betweenAppends) + 1).toISOString();
    const second = await api.json(`/api/events?recordedFrom=${encodeURIComponent(later)}`);
    expect(second.events.map((event: { position: number }) => event.position)).toEqual(Array.from({ length: 9 }, (_, index) => index + 14));
  });

  it('as CSV, with the next page in a header', async () => {
    const answer = await api.call('/api/events?format=csv&limit=10', { key: api.keys.auditor.key });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(answer.headers.get('x-capflow-next')).toBe('10');
    const rows = answer.text.split('\r\n').filter((row) => row.length > 0);
    expect(rows[0]).toBe('position,recordedAt,occurredAt,type,streamId,eventId,amount,currency,source,hash');
    expect(rows).toHaveLength(11);
    expect(rows[8]).toBe(
      [
        '8',
        trail[7].recordedAt,
        '2025-11-02T09:00:00Z',
        'InvestmentFunded',
        'investment-amzn-oai',
        '00000000-0000-4000-8000-000000000008',
        '600.00',
        'USD',
        'treasury',
        trail[7].hash,
      ].join(','),
    );
  });

  it('one event: stream, position, both times, hash, source and its provenance (file and line)', async () => {
    const event = await api.json('/api/events/00000000-0000-4000-8000-000000000014');
    expect(event).toEqual(trail[19]);
    expect(event).toEqual({
      position: 20,
      eventId: '00000000-0000-4000-8000-000000000014',
      streamId: expect.stringMatching(/^[a-z]+-oai-nvda-0$/),
      streamVersion: expect.any(Number),
      type: 'PaymentMade',
      occurredAt: '2025-11-03T09:00:00Z',
      recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      source: 'treasury',
      data: JSON.parse(EXAMPLE_LINES[19]).data,
      metadata: { import: { file: expect.stringMatching(/^example-14-27\.ndjson$/), line: 7 } },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('an eventId in upper case finds the same event; one not stored is 404 not_found', async () => {
    expect(await api.json('/api/events/00000000-0000-4000-8000-00000000000D')).toEqual(trail[12]);
    const missing = await api.call('/api/events/00000000-0000-4000-8000-0000000000ff', { key: api.keys.auditor.key });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ code: 'not_found', detail: expect.stringContaining('00000000-0000-4000-8000-0000000000ff') });
  });
});

describe('integrity and operations', () => {
  it('verify: the chain is intact, as `capflow verify --json` says', async () => {
    const [answer, printed] = await Promise.all([api.json('/api/verify'), cliJson(['verify', '--store', store])]);
    expect(answer).toEqual(printed);
    expect(answer).toMatchObject({ ok: true, checked: 22, headPosition: 22, problem: null });
  });

  it('verify with an anchor still in the chain; one that is not is reported', async () => {
    const head = await api.json('/api/verify');
    expect(await api.json(`/api/verify?anchor=${head.headPosition}:${head.headHash}`)).toMatchObject({ ok: true });
    const wrong = await api.json(`/api/verify?anchor=5:${'0'.repeat(64)}`);
    expect(wrong.ok).toBe(false);
  });

  it('/health: the store is up and the read models are at its head, without a key', async () => {
    const answer = await api.call('/health');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 'up', store: { status: 'up', head: 22 }, readModels: { position: 22, lag: 0 } });
  });

  it('/metrics: Prometheus text with the requests counted by route and status, without a key', async () => {
    await api.json('/api/reports/credits');
    const answer = await api.call('/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(answer.text).toMatch(/^# TYPE capflow_api_requests_total counter$/m);
    const counted = /^capflow_api_requests_total\{method="GET",route="\/api\/reports\/credits",status="200"\} (\d+)$/m.exec(answer.text);
    expect(Number(counted?.[1])).toBeGreaterThanOrEqual(1);
    expect(answer.text).toMatch(/^capflow_read_model_lag_events 0$/m);
  });

  it('answers carry security headers and no X-Powered-By', async () => {
    const answer = await api.call('/api/balances', { key: api.keys.auditor.key });
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(answer.headers.get('x-powered-by')).toBeNull();
  });
});

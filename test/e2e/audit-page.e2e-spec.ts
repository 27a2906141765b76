/**
 * The auditors' page in a real browser: Debian's chromium driven by playwright-core, against
 * `capflow serve` (the built command line, as a child process) on a temporary SQLite store holding
 * the contract's worked example. The page shows the round trips of the expected file under both
 * policies, follows the as-of date, opens an investment's trace, draws the flow graph with its
 * cycles, downloads a CSV, explains a refused key, and never puts the key in a URL. A screenshot
 * of the page is saved as test/artifacts/audit-page.png.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium, Locator, Page } from 'playwright-core';
import { CLI_PATH, REPO_ROOT, runCli } from '../support/cli';

jest.setTimeout(180_000);

/** Debian's package; CI installs it (.ci/run). The test fails without it: it never skips. */
const CHROMIUM = '/usr/bin/chromium';
const EXAMPLES = join(REPO_ROOT, 'test/fixtures/contract');
const EXAMPLE = join(EXAMPLES, 'amazon-openai-loop.ndjson');
const EXPECTED = JSON.parse(readFileSync(join(EXAMPLES, 'amazon-openai-loop.expected.json'), 'utf8'));
const SCREENSHOT = join(REPO_ROOT, 'test/artifacts/audit-page.png');
/** A business date inside the example: amzn-oai is funded and partly back, nvda-oai not committed yet. */
const AS_OF = '2025-11-04';

const AMOUNT_FIELDS = [
  'committed',
  'fundedCash',
  'fundedCredits',
  'returnedCash',
  'returnedCapital',
  'returnedCredits',
  'commitmentsToInvestorGroup',
] as const;

interface RoundTripRow {
  investmentId: string;
  currency: string;
  roundTripRatio: number | null;
  [field: string]: string | number | null;
}
interface RoundTripReport {
  policy: string;
  investments: RoundTripRow[];
}
interface TraceReport {
  currency: string;
  flows: { eventId: string; amount: Record<'fifo' | 'pro_rata', string> }[];
  holdings: Record<'fifo' | 'pro_rata', { partyId: string; amount: string }[]>;
}
interface FlowsReport {
  currencies: {
    currency: string;
    groups: string[];
    cycles: { groups: string[]; weakest: { from: string; to: string; amount: string } }[];
  }[];
}

interface Served {
  child: ChildProcess;
  /** The page's URL as serve prints it, with the auditor key in the fragment. */
  pageUrl: string;
  origin: string;
  auditorKey: string;
  ingestKey: string;
}

let scratch: string;
let store: string;
let served: Served | undefined;
let browser: Browser | undefined;
let page: Page;
const requestedUrls: string[] = [];
const pageErrors: string[] = [];

/** The CLI's JSON for the same store: what the page must show. */
function cliJson<T>(args: string[]): T {
  const result = runCli([...args, '--store', store, '--json']);
  if (result.status !== 0) throw new Error(`capflow ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Starts `capflow serve --port 0` and resolves once it has printed where the page is. */
function startServe(storeUrl: string): Promise<Served> {
  // Keys for this run only (printed), and no Kafka even where CI exports brokers for its own tier.
  const child = spawn(process.execPath, [CLI_PATH, 'serve', '--port', '0', '--store', storeUrl], {
    cwd: REPO_ROOT,
    env: { ...process.env, CAPFLOW_API_KEYS: undefined, KAFKA_BROKERS: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`capflow serve printed no page URL within 90 s\nstdout: ${stdout}\nstderr: ${stderr}`)),
      90_000,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const pageUrl = /^\s*page\s+(http:\/\/\S+#key=\S+)\s*$/m.exec(stdout)?.[1];
      const auditorKey = /keys for this run[\s\S]*?^\s*auditor\s+(\S+)\s*$/m.exec(stdout)?.[1];
      const ingestKey = /keys for this run[\s\S]*?^\s*ingest\s+(\S+)\s*$/m.exec(stdout)?.[1];
      if (!pageUrl || !auditorKey || !ingestKey) return;
      clearTimeout(timer);
      resolve({ child, pageUrl, origin: new URL(pageUrl).origin, auditorKey, ingestKey });
    });
    child.on('exit', (code, signal) =>
      fail(new Error(`capflow serve exited (${code ?? signal}) before serving\nstdout: ${stdout}\nstderr: ${stderr}`)),
    );
  });
}

async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`the browser test needs Debian's chromium at ${CHROMIUM}: apt-get install -y chromium`);
  scratch = mkdtempSync(join(tmpdir(), 'capflow-audit-page-'));
  store = `sqlite:${join(scratch, 'audit-page.db')}`;
  const imported = runCli(['import', EXAMPLE, '--store', store, '--json']);
  expect(imported.status).toBe(2); // the example's three refused lines
  served = await startServe(store);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on('request', (request) => requestedUrls.push(request.url()));
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (served) await stopServe(served.child);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// What the page shows, read through its test hooks

/** The exact value a cell carries on hover, "1,000.00 USD" → "1000.00 USD". */
async function exactOf(cell: Locator): Promise<string | null> {
  return (await cell.getAttribute('title'))?.replace(/,/g, '') ?? null;
}

/** Waits until the round-trip table shows this policy and as-of date, loaded. */
async function tableShows(policy: string, asOf: string): Promise<void> {
  await page.waitForSelector(`[data-testid="round-trip-table"][data-policy="${policy}"][data-as-of="${asOf}"][aria-busy="false"]`);
}

async function shownRoundTrips(): Promise<Record<string, Record<string, string | null>>> {
  const rows = page.getByTestId('round-trip-row');
  const shown: Record<string, Record<string, string | null>> = {};
  for (let index = 0; index < (await rows.count()); index += 1) {
    const row = rows.nth(index);
    const figures: Record<string, string | null> = {};
    for (const field of AMOUNT_FIELDS) {
      const cell = row.getByTestId(`round-trip-${field}`);
      figures[field] = await exactOf(cell);
      figures[`${field} (text)`] = (await cell.textContent())?.replace(/,/g, '') ?? null;
    }
    figures.roundTripRatio = await row.getByTestId('round-trip-roundTripRatio').getAttribute('data-value');
    shown[(await row.getAttribute('data-investment'))!] = figures;
  }
  return shown;
}

/**
 * The same figures from a report: exact amounts with their currency, on hover and (every amount
 * of the example being under a million, none is abbreviated) as the text of the cell.
 */
function figuresOf(report: RoundTripReport): Record<string, Record<string, string | null>> {
  return Object.fromEntries(
    report.investments.map((row) => {
      const figures: Record<string, string | null> = {};
      for (const field of AMOUNT_FIELDS) {
        figures[field] = `${row[field]} ${row.currency}`;
        figures[`${field} (text)`] = `${row[field]} ${row.currency}`;
      }
      figures.roundTripRatio = row.roundTripRatio === null ? '' : String(row.roundTripRatio);
      return [row.investmentId, figures];
    }),
  );
}

async function expectTraceShows(trace: TraceReport): Promise<void> {
  const rows = page.getByTestId('trace-panel').getByTestId('trace-flow');
  expect(await rows.count()).toBe(trace.flows.length);
  for (const [index, flow] of trace.flows.entries()) {
    const row = rows.nth(index);
    expect(await row.getAttribute('data-event-id')).toBe(flow.eventId);
    expect(await exactOf(row.getByTestId('trace-amount-fifo'))).toBe(`${flow.amount.fifo} ${trace.currency}`);
    expect(await exactOf(row.getByTestId('trace-amount-pro_rata'))).toBe(`${flow.amount.pro_rata} ${trace.currency}`);
  }
  for (const policy of ['fifo', 'pro_rata'] as const) {
    const items = page.getByTestId(`trace-holdings-${policy}`).locator('li');
    expect(await items.count()).toBe(trace.holdings[policy].length);
    for (const [index, holding] of trace.holdings[policy].entries()) {
      expect(await items.nth(index).locator('span').first().textContent()).toBe(holding.partyId);
      expect(await exactOf(items.nth(index).locator('.money'))).toBe(`${holding.amount} ${trace.currency}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------

describe("the auditors' page", () => {
  it('takes the key from the URL fragment, keeps it out of the address bar and shows the fifo round trips of the expected file', async () => {
    await page.goto(served!.pageUrl);
    await tableShows('fifo', '');
    expect(page.url()).toBe(`${served!.origin}/`);
    expect(await page.evaluate('sessionStorage.getItem("capflow.apiKey")')).toBe(served!.auditorKey);
    expect(await shownRoundTrips()).toEqual(figuresOf(EXPECTED.fifo));
  });

  it('switches the policy: the figures become the pro_rata ones', async () => {
    await page.getByTestId('policy-pro_rata').check();
    await tableShows('pro_rata', '');
    const shown = await shownRoundTrips();
    expect(shown).toEqual(figuresOf(EXPECTED.pro_rata));
    expect(shown).not.toEqual(figuresOf(EXPECTED.fifo));
  });

  it('moves the as-of date: the figures become those of that day', async () => {
    const early = cliJson<RoundTripReport>(['report', 'round-trips', '--policy', 'pro_rata', '--as-of', AS_OF]);
    expect(figuresOf(early)).not.toEqual(figuresOf(EXPECTED.pro_rata)); // the date must make a difference
    await page.getByTestId('as-of').fill(AS_OF);
    await page.getByTestId('as-of').press('Enter');
    await tableShows('pro_rata', AS_OF);
    expect(await shownRoundTrips()).toEqual(figuresOf(early));
    // back to fifo on the same day: the CLI's fifo figures of that day
    await page.getByTestId('policy-fifo').check();
    await tableShows('fifo', AS_OF);
    expect(await shownRoundTrips()).toEqual(
      figuresOf(cliJson<RoundTripReport>(['report', 'round-trips', '--policy', 'fifo', '--as-of', AS_OF])),
    );
  });

  it("opens an investment's trace: its flows under both policies and where the money is now", async () => {
    await page.locator('[data-testid="round-trip-row"][data-investment="amzn-oai"]').getByTestId('open-trace').click();
    await page.waitForSelector('[data-testid="trace-panel"][data-investment="amzn-oai"][aria-busy="false"]');
    await expectTraceShows(cliJson<TraceReport>(['report', 'trace', '--investment', 'amzn-oai', '--as-of', AS_OF]));
    // the latest view again: the open trace follows it
    await page.getByTestId('view-latest').click();
    await page.getByTestId('policy-pro_rata').check();
    await tableShows('pro_rata', '');
    await page.waitForSelector('[data-testid="trace-panel"][aria-busy="false"]');
    await expectTraceShows(cliJson<TraceReport>(['report', 'trace', '--investment', 'amzn-oai']));
  });

  it('draws the flow graph between groups and lists its cycles with their weakest edges', async () => {
    const flows = cliJson<FlowsReport>(['report', 'flows']);
    const usd = flows.currencies.find((entry) => entry.currency === 'USD')!;
    expect(await page.getByTestId('flow-graph').getAttribute('data-currency')).toBe('USD');
    expect(await page.getByTestId('flow-graph').locator('canvas').count()).toBeGreaterThan(0);
    const cycles = page.getByTestId('cycles').getByTestId('cycle');
    expect(await cycles.count()).toBe(usd.cycles.length);
    for (const [index, cycle] of usd.cycles.entries()) {
      const item = cycles.nth(index);
      expect((await item.locator('button').textContent())?.replace(/\s+/g, ' ').trim()).toBe(cycle.groups.join(' → '));
      expect(await exactOf(item.locator('.weakest .money'))).toBe(`${cycle.weakest.amount} USD`);
    }
  });

  it('downloads the round trips as CSV with the key in a header, the same rows as the command line', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-round-trips').click()]);
    expect(download.suggestedFilename()).toBe('round-trips-pro_rata.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    const cli = runCli(['report', 'round-trips', '--policy', 'pro_rata', '--csv', '--store', store]);
    expect(csv.trim()).toBe(cli.stdout.trim());
  });

  it('never sent the key in a URL, and ran without script errors; saves a screenshot', async () => {
    expect(requestedUrls.length).toBeGreaterThan(5);
    expect(requestedUrls.filter((url) => url.includes(served!.auditorKey))).toEqual([]);
    expect(pageErrors).toEqual([]);
    mkdirSync(join(REPO_ROOT, 'test/artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it('says clearly what to do without a key, with a wrong key (401) and with a key of the wrong role (403)', async () => {
    const context = await browser!.newContext();
    try {
      const other = await context.newPage();
      other.setDefaultTimeout(60_000);
      await other.goto(`${served!.origin}/`);
      await other.waitForSelector('body[data-state="no-key"]');
      expect(await other.getByTestId('notice').textContent()).toContain('An API key is needed');

      await other.getByTestId('key-input').fill('cfk_not-a-key-of-this-run');
      await other.getByTestId('key-input').press('Enter');
      await other.waitForSelector('[data-testid="notice"]:has-text("401")');
      expect(await other.getByTestId('notice').textContent()).toContain('refused the key (401)');

      await other.getByTestId('key-input').fill(served!.ingestKey);
      await other.getByTestId('key-input').press('Enter');
      await other.waitForSelector('[data-testid="notice"]:has-text("403")');
      expect(await other.getByTestId('notice').textContent()).toContain('auditor role');
      expect(await other.getByTestId('round-trip-row').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});

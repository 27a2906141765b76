/**
 * `capflow export`: the bundled sample into SQLite and PostgreSQL, exported as Parquet and read
 * back with DuckDB, gives the reports' totals to the minor unit; as CSV, the same rows; refusals
 * name the parameter or path and write nothing; an export killed half-way leaves no `--out`.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CREDIT_NORMAL_ACCOUNTS } from '@capflow/projections';
import { writeEventsFile } from '../bench/import/generate-events';
import { CLI_PATH, REPO_ROOT, runCli } from '../support/cli';
import { sleep } from '../support/eventually';

jest.setTimeout(300_000);

const SAMPLE = join(REPO_ROOT, 'apps/capflow/sample/public-deals.ndjson');
const CONTRACT_EXAMPLE = join(REPO_ROOT, 'test/fixtures/contract/amazon-openai-loop.ndjson');
const TEST_POSTGRES_URL = process.env.CAPFLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const TABLES = [
  'balances',
  'balances_series',
  'circular_revenue_fifo',
  'circular_revenue_pro_rata',
  'deal_links',
  'facts',
  'postings',
  'round_trips_fifo',
  'round_trips_pro_rata',
  'round_trips_series_fifo',
  'round_trips_series_pro_rata',
];

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'capflow-export-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const json = (args: string[]) => {
  const result = runCli(args);
  if (result.status !== 0) throw new Error(`capflow ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout);
};

/** A decimal string as thousandths (the export's DECIMAL(38,3)), exactly. */
const thousandths = (amount: string) => {
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const value = BigInt(whole + fraction.padEnd(3, '0'));
  return amount.startsWith('-') ? -value : value;
};
const sumOf = (amounts: string[]) => amounts.reduce((sum, amount) => sum + thousandths(amount), 0n).toString();

async function duck(sql: string): Promise<Record<string, string>[]> {
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, string>[];
  } finally {
    connection.closeSync();
  }
}
/** SUM of a DECIMAL(38,3) column as thousandths. */
const duckSum = async (file: string, column: string) =>
  (await duck(`SELECT coalesce(sum("${column}"), 0)::DECIMAL(38,3)::VARCHAR AS s FROM '${file}'`))[0].s.replace('.', '').replace(/^(-?)0+(?=\d)/, '$1');

describe.each([
  ['the sample on SQLite', SAMPLE, () => `sqlite:${join(scratch, 'sample.db')}`],
  ['the sample on PostgreSQL', SAMPLE, () => `${TEST_POSTGRES_URL}?schema=export_${process.pid}_${Date.now()}`],
  // a late fact and a reversal
  ['the contract example on SQLite', CONTRACT_EXAMPLE, () => `sqlite:${join(scratch, 'example.db')}`],
])('capflow export of %s', (_, source, storeOf) => {
  let store: string;
  let out: string;
  beforeAll(() => {
    store = storeOf();
    // exit 2: the contract example has lines the ledger refuses, on purpose
    expect(runCli(['import', source, '--store', store, '--json']).status).toBe(source === SAMPLE ? 0 : 2);
    out = join(scratch, `parquet-${Date.now()}`);
    const summary = json(['export', '--out', out, '--store', store, '--json']);
    expect(summary.tables.map((t: { name: string }) => t.name).sort()).toEqual(TABLES);
  });

  it('writes one Parquet file per table, and nothing else', () => {
    expect(readdirSync(out).sort()).toEqual(TABLES.map((name) => `${name}.parquet`));
    expect(readdirSync(scratch).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('the facts read back as stored: every position once, in a typed column, and the data as JSON', async () => {
    const listed = runCli(['events', '--store', store, '--json', '--limit', '1000']);
    const events = listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { eventId: string; data: unknown });
    const [row] = await duck(`SELECT count(*)::VARCHAR n, max(position)::VARCHAR head, typeof(any_value(position)) t FROM '${out}/facts.parquet'`);
    expect(row).toEqual({ n: String(events.length), head: String(events.length), t: 'BIGINT' });
    const [first] = await duck(`SELECT eventId, data FROM '${out}/facts.parquet' WHERE position = 1`);
    expect(first.eventId).toBe(events[0].eventId);
    expect(JSON.parse(first.data)).toEqual(events[0].data);
  });

  it('amounts are exact decimals whose sums equal the reports, to the minor unit', async () => {
    const [types] = await duck(`SELECT typeof(any_value(balance)) b FROM '${out}/balances.parquet'`);
    expect(types.b).toBe('DECIMAL(38,3)');
    const balances = json(['balances', '--store', store, '--json']);
    const balanceAmounts = balances.parties.flatMap((party: { balances: Record<string, Record<string, string>> }) =>
      Object.values(party.balances).flatMap((accounts) => Object.values(accounts)),
    );
    expect(await duckSum(`${out}/balances.parquet`, 'balance')).toBe(sumOf(balanceAmounts));
    for (const policy of ['fifo', 'pro_rata']) {
      const trips = json(['report', 'round-trips', '--policy', policy, '--store', store, '--json']);
      for (const column of ['fundedCash', 'returnedCash', 'returnedCapital', 'returnedCredits']) {
        expect(await duckSum(`${out}/round_trips_${policy}.parquet`, column)).toBe(sumOf(trips.investments.map((row: Record<string, string>) => row[column])));
      }
      const circular = json(['report', 'circular-revenue', '--policy', policy, '--store', store, '--json']);
      for (const column of ['receivedCash', 'circularCash', 'receivedCredits', 'circularCredits']) {
        expect(await duckSum(`${out}/circular_revenue_${policy}.parquet`, column)).toBe(sumOf(circular.rows.map((row: Record<string, string>) => row[column])));
      }
      const series = json(['report', 'round-trips', '--policy', policy, '--series', 'quarter', '--store', store, '--json']);
      const seriesReturned = series.points.flatMap((point: { investments: Record<string, string>[] }) => point.investments.map((row) => row.returnedCash));
      expect(await duckSum(`${out}/round_trips_series_${policy}.parquet`, 'returnedCash')).toBe(sumOf(seriesReturned));
    }
    const links = json(['report', 'deal-links', '--store', store, '--json']);
    expect(await duckSum(`${out}/deal_links.parquet`, 'linkedAmount')).toBe(sumOf(links.investments.map((row: { linkedAmount: string }) => row.linkedAmount)));
  });

  it('the postings are the journal: the entries that stand, debits less credits, give every balance of the report', async () => {
    const sums = await duck(`
      WITH entries AS (
        SELECT partyId, currency, debit AS account, amount FROM '${out}/postings.parquet' WHERE reversedBy IS NULL
        UNION ALL
        SELECT partyId, currency, credit AS account, -amount FROM '${out}/postings.parquet' WHERE reversedBy IS NULL)
      SELECT partyId, currency, account, sum(amount)::VARCHAR AS debits FROM entries GROUP BY ALL HAVING sum(amount) <> 0`);
    const fromJournal = sums
      .map(({ partyId, currency, account, debits }) => {
        const balance = (CREDIT_NORMAL_ACCOUNTS as readonly string[]).includes(account) ? -thousandths(debits) : thousandths(debits);
        return `${partyId} ${currency} ${account} ${balance}`;
      })
      .sort();
    const balances = json(['balances', '--store', store, '--json']) as { parties: { partyId: string; balances: Record<string, Record<string, string>> }[] };
    const fromReport = balances.parties
      .flatMap(({ partyId, balances: byCurrency }) =>
        Object.entries(byCurrency).flatMap(([currency, accounts]) =>
          Object.entries(accounts).map(([account, amount]) => [`${partyId} ${currency} ${account}`, thousandths(amount)] as const),
        ),
      )
      .filter(([, amount]) => amount !== 0n)
      .map(([key, amount]) => `${key} ${amount}`)
      .sort();
    expect(fromJournal.length).toBeGreaterThan(10);
    expect(fromJournal).toEqual(fromReport);
    // a reversed fact's entries are there, marked with the reversal's position (the example has one)
    const [reversed] = await duck(`SELECT count(*)::VARCHAR n FROM '${out}/postings.parquet' WHERE reversedBy > position`);
    expect(Number(reversed.n) > 0).toBe(readFileSync(source, 'utf8').includes('"EventReversed"'));
  });

  it('as CSV: the same rows, amounts as stated', () => {
    const csv = join(scratch, `csv-${Date.now()}`);
    json(['export', '--out', csv, '--format', 'csv', '--store', store, '--json']);
    expect(readdirSync(csv).sort()).toEqual(TABLES.map((name) => `${name}.csv`));
    const lines = readFileSync(join(csv, 'round_trips_fifo.csv'), 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe(
      'investmentId,investorId,investorGroup,investeeId,currency,committed,fundedCash,fundedCredits,returnedCash,returnedCapital,returnedCredits,roundTripRatio,commitmentsToInvestorGroup',
    );
    expect(lines.length - 1).toBe(json(['report', 'round-trips', '--policy', 'fifo', '--store', store, '--json']).investments.length);
  });
});

describe('capflow export refuses, naming what is wrong, and writes nothing', () => {
  const store = () => `sqlite:${join(scratch, 'sample.db')}`;
  it.each([
    ['an --out directory that is not empty', () => {
      const dir = join(scratch, 'full');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'keep.txt'), 'mine');
      return { args: ['--out', dir], names: dir };
    }],
    ['an --out that is a file', () => {
      const file = join(scratch, 'a-file');
      writeFileSync(file, 'x');
      return { args: ['--out', file], names: file };
    }],
    ['an --out that cannot be written (under a file)', () => {
      const file = join(scratch, 'another-file');
      writeFileSync(file, 'x');
      return { args: ['--out', join(file, 'out')], names: file };
    }],
    ['an unknown --format', () => ({ args: ['--out', join(scratch, 'never'), '--format', 'xlsx'], names: '--format' })],
  ])('%s: exit 1, one line naming it', (_, make) => {
    const { args, names } = make();
    const before = readdirSync(scratch).sort();
    const result = runCli(['export', ...args, '--store', store()]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(names);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readdirSync(scratch).sort()).toEqual(before);
    if (existsSync(join(scratch, 'full'))) expect(readdirSync(join(scratch, 'full'))).toEqual(['keep.txt']);
  });

  it('killed half-way (kill -9), it leaves no --out directory: only its hidden work directory', async () => {
    const facts = join(scratch, 'big.ndjson');
    writeEventsFile(facts, { events: 40_000, seed: 7 });
    const big = `sqlite:${join(scratch, 'big.db')}`;
    expect([0, 2]).toContain(runCli(['import', facts, '--store', big, '--json'], { timeoutMs: 300_000 }).status);
    expect(runCli(['replay', '--store', big, '--json'], { timeoutMs: 300_000 }).status).toBe(0);
    const out = join(scratch, 'killed');
    const child = spawn(process.execPath, [CLI_PATH, 'export', '--out', out, '--store', big], { cwd: REPO_ROOT, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const partial = () => readdirSync(scratch).find((name) => name.startsWith('.killed.partial-'));
    while (!partial() && child.exitCode === null) await sleep(5);
    await sleep(100);
    child.kill('SIGKILL');
    await exited;
    expect(child.signalCode).toBe('SIGKILL');
    expect(existsSync(out)).toBe(false);
  });
});

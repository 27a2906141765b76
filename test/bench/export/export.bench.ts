/**
 * The export benchmark: `capflow export` of a generated ledger (1,000,000 facts by default) as
 * Parquet, its time and peak RSS, and a check that the files read back with DuckDB give the
 * reports' totals to the minor unit (facts, balances, round trips under both policies).
 *
 *   npm run bench:export -- [--events N] [--stores sqlite,postgres] [--seed S] [--postgres URL]
 *
 * The store is imported and its read models rebuilt first (timed apart), so the export's figures
 * are the export's own.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { commonBenchOptions } from '../support/bench-options';
import { eventsFile } from '../support/events-file';
import { machineLines, withBenchStore } from '../support/machine';
import { CAPFLOW, ROOT, timedCapflow } from '../support/timed-run';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Decimal strings summed exactly, as thousandths (the export's DECIMAL(38,3)). */
function thousandths(amounts: string[]): bigint {
  let sum = 0n;
  for (const amount of amounts) {
    const negative = amount.startsWith('-');
    const [whole, fraction = ''] = amount.replace('-', '').split('.');
    const value = BigInt(whole + fraction.padEnd(3, '0'));
    sum += negative ? -value : value;
  }
  return sum;
}

async function duckSum(sql: string): Promise<bigint> {
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    const [row] = (await connection.runAndReadAll(sql)).getRowObjectsJson() as { s: string }[];
    return BigInt(row.s.replace('.', ''));
  } finally {
    connection.closeSync();
  }
}

async function cliJson(args: string[]): Promise<Record<string, unknown>> {
  const run = await timedCapflow([...args, '--json']);
  if (run.exitCode !== 0) throw new Error(`capflow ${args.join(' ')}: ${run.stderrTail}`);
  return JSON.parse(run.stdout);
}

async function benchStore(name: string, url: string, file: string, events: number): Promise<string[]> {
  log(`${name}: importing…`);
  const imported = await timedCapflow(['import', file, '--store', url, '--json']);
  if (imported.exitCode !== 0 && imported.exitCode !== 2) throw new Error(`import failed: ${imported.stderrTail}`);
  log(`${name}: replay…`);
  const replay = await timedCapflow(['replay', '--store', url, '--json']);
  if (replay.exitCode !== 0) throw new Error(`replay failed: ${replay.stderrTail}`);
  const dir = mkdtempSync('/tmp/capflow-bench-export-');
  const out = join(dir, 'export');
  try {
    log(`${name}: export…`);
    const exported = await timedCapflow(['export', '--out', out, '--store', url, '--json']);
    if (exported.exitCode !== 0) throw new Error(`export failed: ${exported.stderrTail}`);
    const summary = JSON.parse(exported.stdout) as { tables: { name: string; rows: number; bytes: number }[] };
    const bytes = summary.tables.reduce((sum, table) => sum + table.bytes, 0);
    const facts = summary.tables.find((table) => table.name === 'facts')!.rows;
    log(`${name}: checking totals with DuckDB…`);
    const checks: string[] = [];
    const check = async (what: string, fromReport: bigint, sql: string) => {
      const fromParquet = await duckSum(sql);
      checks.push(`    ${what}: ${fromParquet === fromReport ? 'equal' : `DIFFER (report ${fromReport}, parquet ${fromParquet})`}`);
    };
    const balances = (await cliJson(['balances', '--store', url])) as { parties: { balances: Record<string, Record<string, string>> }[] };
    await check(
      'balances, every account',
      thousandths(balances.parties.flatMap((party) => Object.values(party.balances).flatMap((accounts) => Object.values(accounts)))),
      `SELECT sum(balance)::VARCHAR s FROM '${out}/balances.parquet'`,
    );
    for (const policy of ['fifo', 'pro_rata']) {
      const trips = (await cliJson(['report', 'round-trips', '--policy', policy, '--store', url])) as { investments: Record<string, string>[] };
      await check(
        `round trips ${policy}, returnedCash + returnedCredits`,
        thousandths(trips.investments.flatMap((row) => [row.returnedCash, row.returnedCredits])),
        `SELECT (sum(returnedCash) + sum(returnedCredits))::VARCHAR s FROM '${out}/round_trips_${policy}.parquet'`,
      );
    }
    return [
      name,
      `  import ${imported.seconds.toFixed(1)} s, replay ${replay.seconds.toFixed(1)} s (before the export, not part of it)`,
      `  export (Parquet): ${exported.seconds.toFixed(1)} s, ${Math.round(events / exported.seconds).toLocaleString('en-US')} facts/s, peak RSS ${exported.peakRssMb?.toFixed(0)} MB, ${(bytes / 1024 / 1024).toFixed(1)} MB in ${summary.tables.length} files, ${facts.toLocaleString('en-US')} facts`,
      '  read back with DuckDB, against the reports:',
      ...checks,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { events, seed, stores, postgresUrl } = commonBenchOptions(process.argv.slice(2));
  execFileSync(process.execPath, [CAPFLOW, '--help'], { cwd: ROOT, stdio: 'ignore' }); // build, untimed
  const file = eventsFile(events, seed, log);
  const out = ['capflow export benchmark', '', ...(await machineLines(stores.includes('postgres') ? postgresUrl : null))];
  out.push(`  events       ${events.toLocaleString('en-US')} (${file})`, '');
  for (const store of stores) out.push(...(await withBenchStore(store, postgresUrl, 'export', (url) => benchStore(store, url, file, events))), '');
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

/**
 * The replay benchmark: rebuilding the read models from a 1,000,000-event store (which also stores
 * the snapshots views start from), and answering as-of and known-at reports on 20 random dates
 * from the command line, on SQLite and PostgreSQL; beside them, the reducers alone, in memory (no
 * store), one pass in business order and in recorded order.
 *
 *   npm run bench:replay -- [--events N] [--stores sqlite,postgres] [--seed S] [--postgres URL]
 *
 * Targets (issue 12): replay of every read model at least 100,000 events/s and 1 GB, round trips
 * alone 150,000 events/s; an as-of report from the command line within 1.5 s, process start included.
 */
import { eventKey, instantKey, parseEvent } from '@capflow/contracts';
import { computeLedgerView, LiveLedger, ViewEvent } from '@capflow/projections';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { commonBenchOptions } from '../support/bench-options';
import { eventsFile } from '../support/events-file';
import { busyCores, machineLines, withBenchStore } from '../support/machine';
import { CAPFLOW, ROOT, timedCapflow } from '../support/timed-run';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The reducers alone: the file parsed into memory first, untimed. */
function reducers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const events: ViewEvent[] = [];
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end);
    start = end === -1 ? text.length : end + 1;
    if (!line.trim()) continue;
    const outcome = parseEvent(line);
    if (outcome.ok)
      events.push({ event: outcome.event, position: events.length + 1, occurredKey: instantKey(outcome.event.occurredAt), recordedAt: '' });
  }
  let started = process.hrtime.bigint();
  const view = computeLedgerView(events);
  const onePass = Number(process.hrtime.bigint() - started) / 1e9;
  view.roundTripsReport('pro_rata', null);

  const byKey = new Map(events.map((e) => [eventKey(e.event.eventId), e]));
  started = process.hrtime.bigint();
  const live = new LiveLedger();
  let restatements = 0;
  // one append per import batch (20,000 lines), as `capflow import` records them
  events.forEach((e, index) => {
    const appended = { ...e, recordedAt: `append-${String(Math.floor(index / 20_000)).padStart(6, '0')}` };
    const target = e.event.type === 'EventReversed' ? byKey.get(eventKey(e.event.data.reversedEventId)) : undefined;
    if (live.apply(appended, target)) restatements += 1;
  });
  if (live.close()) restatements += 1;
  const recorded = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = (seconds: number) => Math.round(events.length / seconds).toLocaleString('en-US');
  return [
    `  one pass in business order (every report, both policies): ${onePass.toFixed(1)} s, ${rate(onePass)} events/s   target ≥100,000`,
    `  in recorded order, ${restatements} appends with late facts or reversals restated: ${recorded.toFixed(1)} s, ${rate(recorded)} events/s`,
  ];
}

async function benchStore(store: string, url: string, file: string, events: number, asOf: string): Promise<string[]> {
  log(`${store}: importing…`);
  const importStarted = Date.now();
  const imported = await timedCapflow(['import', file, '--store', url, '--json']);
  // a ledger time half-way through the import: the ledger as it stood then
  const knownAt = new Date(importStarted + imported.seconds * 500).toISOString();
  if (imported.exitCode !== 0) throw new Error(`import failed: ${imported.stderrTail}`);
  const lines: string[] = [`${store}`, `  import: ${imported.seconds.toFixed(1)} s`];
  const rate = (seconds: number) => Math.round(events / seconds).toLocaleString('en-US');

  log(`${store}: replay --projection round-trips…`);
  const one = await timedCapflow(['replay', '--projection', 'round-trips', '--store', url, '--json']);
  lines.push(
    `  replay --projection round-trips (one pass from the store): ${one.seconds.toFixed(1)} s, ${rate(one.seconds)} events/s, peak RSS ${one.peakRssMb?.toFixed(0)} MB`,
  );

  log(`${store}: replay (every read model)…`);
  const all = await timedCapflow(['replay', '--store', url, '--json']);
  const digest = all.exitCode === 0 ? JSON.parse(all.stdout).digest : `failed: ${all.stderrTail}`;
  lines.push(
    `  replay (every read model, restatements included): ${all.seconds.toFixed(1)} s, ${rate(all.seconds)} events/s, peak RSS ${all.peakRssMb?.toFixed(0)} MB`,
  );
  lines.push(`    digest ${digest}`);

  // as-of and known-at reports on dates never asked before, from the command line (process start included)
  let seed = 20251103;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const kinds: [string, string[]][] = [
    ['round trips fifo', ['report', 'round-trips', '--policy', 'fifo']],
    ['round trips pro_rata', ['report', 'round-trips', '--policy', 'pro_rata']],
    ['balances', ['balances']],
    ['flows', ['report', 'flows']],
  ];
  const times: number[] = [];
  for (let run = 0; run < 20; run++) {
    const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 730) * 86_400_000).toISOString().slice(0, 10);
    const [kind, args] = kinds[run % kinds.length];
    const view = run % 5 === 4 ? ['--as-of', day, '--known-at', knownAt] : ['--as-of', day];
    log(`${store}: ${kind} ${view.join(' ')} (${run + 1}/20)…`);
    const report = await timedCapflow([...args, ...view, '--store', url, '--json']);
    if (report.exitCode !== 0) throw new Error(`report failed: ${report.stderrTail}`);
    times.push(report.seconds);
  }
  times.sort((a, b) => a - b);
  lines.push(
    `  20 as-of reports (round trips under both policies, balances, flows; 4 also --known-at), random dates: p50 ${times[9].toFixed(2)} s, max ${times[19].toFixed(2)} s, process start included   target p50 ≤1.5 s`,
  );
  const oneAsOf = await timedCapflow(['report', 'round-trips', '--policy', 'fifo', '--as-of', asOf, '--store', url, '--json']);
  lines.push(`  report round-trips --as-of ${asOf}: ${oneAsOf.seconds.toFixed(2)} s, process start included`);
  const current = await timedCapflow(['report', 'round-trips', '--policy', 'fifo', '--store', url, '--json']);
  lines.push(`  report round-trips (the read models): ${current.seconds.toFixed(2)} s, process start included`);
  return lines;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const { events, seed, stores, postgresUrl } = commonBenchOptions(args);
  execFileSync(process.execPath, [CAPFLOW, '--help'], { cwd: ROOT, stdio: 'ignore' }); // build, untimed
  const file = eventsFile(events, seed, log);
  // the middle of the generated log's business time (it spans 730 days from 2024-01-01)
  const asOf = '2024-12-31';
  const out = ['capflow replay benchmark', '', ...(await machineLines(stores.includes('postgres') ? postgresUrl : null))];
  out.push(
    `  busy before  ${(await busyCores(2000))?.toFixed(2) ?? '?'} cores`,
    `  events       ${events.toLocaleString('en-US')} (${file})`,
    '',
  );
  log('reducers in memory…');
  out.push('reducers, in memory', ...reducers(file), '');
  for (const store of stores) out.push(...(await withBenchStore(store, postgresUrl, 'replay', (url) => benchStore(store, url, file, events, asOf))), '');
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

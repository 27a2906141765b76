/**
 * The import benchmark: events/s and peak RSS of `capflow import` of a generated file, into a
 * fresh SQLite store and a fresh PostgreSQL schema, next to the targets (≥ 20,000 events/s into
 * each, peak RSS < 512 MB).
 *
 *   npm run bench:import -- [--events N] [--stores sqlite,postgres] [--runs K] [--seed S]
 *                           [--postgres URL] [--cpu-prof DIR] [--keep]
 *
 * It runs the real command line as a child process (`node apps/capflow/bin/capflow.js import FILE
 * --store URL --json`), times it from spawn to exit, takes the child's peak RSS from
 * `/usr/bin/time -v` (else by polling VmHWM in /proc/<pid>/status), and checks that every line
 * was accepted: a rejection means the generator broke a rule, and the figures would not be those
 * of a real import. The generated file is cached under /tmp by event count, seed and generator
 * version. --cpu-prof DIR runs the child under `node --cpu-prof` and prints its top self-time
 * functions (a profiled run is slower: its figures are not the benchmark's). --runs K repeats each
 * import K times into a fresh store and adds the median.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { busyCores, cpuModel, cpuTimes, postgresVersion, withPostgres, withSchema } from '../support/machine';
import { commonBenchOptions } from '../support/bench-options';
import { eventsFile } from '../support/events-file';
import { CAPFLOW, documentedNodeFlags, ROOT } from '../support/timed-run';

const TARGET_EVENTS_PER_SECOND = 20000;
const TARGET_PEAK_RSS_MB = 512;
const TIME = '/usr/bin/time';

interface Options {
  events: number;
  stores: string[];
  seed: number;
  postgresUrl: string;
  cpuProfDir: string | null;
  keep: boolean;
  runs: number;
}

interface RunResult {
  store: string;
  url: string;
  command: string;
  exitCode: number | null;
  seconds: number;
  peakRssMb: number | null;
  userSeconds: number | null;
  systemSeconds: number | null;
  /** Busy core-seconds of the whole machine during the run (capflow, the database, the rest). */
  machineBusySeconds: number;
  /** Busy cores of the machine in the 2 s before the run: other work there skews the figures. */
  busyBefore: number | null;
  /** Bytes the capflow process wrote to the file system (SQLite: database, WAL and checkpoints). */
  writtenBytes: number | null;
  /** WAL the PostgreSQL server generated during the run (all its databases). */
  serverWalBytes: number | null;
  accepted: number | null;
  duplicates: number | null;
  rejected: { line: number; reason: string; detail: string }[] | null;
  storeBytes: number | null;
  stderrTail: string;
}

function parseOptions(args: string[]): Options {
  const { value, events, stores, seed, postgresUrl } = commonBenchOptions(args);
  return {
    events,
    stores,
    seed,
    postgresUrl,
    cpuProfDir: value('--cpu-prof') ?? null,
    keep: args.includes('--keep'),
    runs: Math.max(1, Number(value('--runs') ?? '1')),
  };
}

// ---------------------------------------------------------------------------------------------
// The machine

// ---------------------------------------------------------------------------------------------
// The file

// ---------------------------------------------------------------------------------------------
// One import

function parseTimeReport(stderr: string): {
  peakRssMb: number | null;
  user: number | null;
  system: number | null;
  outputBlocks: number | null;
} {
  const number = (label: string) => {
    const match = new RegExp(`${label}:\\s*([\\d.]+)`).exec(stderr);
    return match ? Number(match[1]) : null;
  };
  const kb = number('Maximum resident set size \\(kbytes\\)');
  return {
    peakRssMb: kb === null ? null : kb / 1024,
    user: number('User time \\(seconds\\)'),
    system: number('System time \\(seconds\\)'),
    outputBlocks: number('File system outputs'), // 512-byte blocks
  };
}

/** VmHWM of a live process, in kB (null once it is gone). */
function highWaterMarkKb(pid: number): number | null {
  try {
    const match = /VmHWM:\s*(\d+)\s*kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

async function runImport(store: string, url: string, file: string, workDir: string, options: Options): Promise<RunResult> {
  // The launcher compiles on demand when a source is newer than the build (someone may be editing
  // the tree while the benchmark runs): let it do so now, untimed.
  execFileSync(process.execPath, [CAPFLOW, '--help'], { cwd: ROOT, stdio: 'ignore' });
  const nodeArgs = [
    ...documentedNodeFlags(),
    ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(options.cpuProfDir)}`] : []),
  ];
  const cliArgs = [...nodeArgs, CAPFLOW, 'import', file, '--store', url, '--json'];
  const useTime = existsSync(TIME);
  const [command, args] = useTime ? [TIME, ['-v', process.execPath, ...cliArgs]] : [process.execPath, cliArgs];
  const stdoutPath = join(workDir, `${store}.stdout.json`);
  const stdout = openSync(stdoutPath, 'w');
  const busyBefore = await busyCores(2000);
  const before = cpuTimes();
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', stdout, 'pipe'] });
  closeSync(stdout);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-64 * 1024);
  });
  // Without /usr/bin/time: poll the child's high-water mark (the node process itself).
  let polledKb = 0;
  const poll = useTime
    ? null
    : setInterval(() => {
        polledKb = Math.max(polledKb, highWaterMarkKb(child.pid!) ?? 0);
      }, 100);
  const exitCode = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = cpuTimes();
  if (poll) clearInterval(poll);
  const timed = parseTimeReport(stderr);

  let accepted: number | null = null;
  let duplicates: number | null = null;
  let rejected: RunResult['rejected'] = null;
  try {
    const summary = JSON.parse(readFileSync(stdoutPath, 'utf8')) as {
      accepted: number;
      duplicates: number;
      rejected: RunResult['rejected'];
    };
    ({ accepted, duplicates, rejected } = summary);
  } catch {
    // reported below as a failed run
  }
  const ticksPerSecond = 100; // USER_HZ
  return {
    store,
    url,
    command: [useTime ? `${TIME} -v node` : 'node', ...cliArgs.map((a) => (a === CAPFLOW ? 'apps/capflow/bin/capflow.js' : a))].join(' '),
    exitCode,
    seconds,
    peakRssMb: useTime ? timed.peakRssMb : polledKb > 0 ? polledKb / 1024 : null,
    userSeconds: timed.user,
    systemSeconds: timed.system,
    machineBusySeconds: (after.busy - before.busy) / ticksPerSecond,
    busyBefore,
    writtenBytes: timed.outputBlocks === null ? null : timed.outputBlocks * 512,
    serverWalBytes: null,
    accepted,
    duplicates,
    rejected,
    storeBytes: null,
    stderrTail: stderr
      .split('\n')
      .filter((line) => !/^\s+\S.*:\s/.test(line) && line.trim() !== '')
      .slice(-10)
      .join('\n'),
  };
}

function directoryBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

async function benchStore(store: string, file: string, workDir: string, options: Options): Promise<RunResult> {
  if (store === 'sqlite') {
    const dir = mkdtempSync('/tmp/capflow-bench-sqlite-');
    try {
      const result = await runImport(store, `sqlite:${join(dir, 'bench.db')}`, file, workDir, options);
      result.storeBytes = directoryBytes(dir);
      return result;
    } finally {
      if (options.keep) log(`  kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
  }
  const schema = `bench_import_${process.pid}_${Date.now().toString(36)}`;
  const walPosition = () =>
    withPostgres(
      options.postgresUrl,
      async (client) => (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn,
    ).catch(() => null);
  try {
    const walBefore = await walPosition();
    const result = await runImport(store, withSchema(options.postgresUrl, schema), file, workDir, options);
    const walAfter = await walPosition();
    if (walBefore && walAfter) result.serverWalBytes = lsnBytes(walAfter) - lsnBytes(walBefore);
    result.storeBytes = await withPostgres(options.postgresUrl, async (client) => {
      const { rows } = await client.query<{ bytes: string }>(
        `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
        [schema],
      );
      return Number(rows[0].bytes);
    }).catch(() => null);
    return result;
  } finally {
    if (options.keep) log(`  kept schema ${schema}`);
    else
      await withPostgres(options.postgresUrl, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).catch(() => undefined);
  }
}

/** A PostgreSQL LSN ("16/B374D848") as a byte offset. */
function lsnBytes(lsn: string): number {
  const [high, low] = lsn.split('/').map((part) => parseInt(part, 16));
  return high * 2 ** 32 + low;
}

// ---------------------------------------------------------------------------------------------
// CPU profile summary

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** The top self-time functions and the share of each package / source folder, from a .cpuprofile. */
export function summariseProfile(path: string, top = 25): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
    endTime: number;
  };
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalMicros = profile.endTime - profile.startTime;
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const { functionName, url, lineNumber } = byNode.get(id)!.callFrame;
    const where = url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
    const key = `${functionName || '(anonymous)'}  ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    byArea.set(areaOf(functionName, where), (byArea.get(areaOf(functionName, where)) ?? 0) + micros);
  }
  const pct = (micros: number) => `${((100 * micros) / totalMicros).toFixed(1).padStart(5)}%`;
  const lines = [`${path}: ${(totalMicros / 1e6).toFixed(1)} s profiled`, '  self time by area:'];
  for (const [area, micros] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 14)) lines.push(`    ${pct(micros)}  ${area}`);
  lines.push(`  top ${top} functions by self time:`);
  for (const [key, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`    ${pct(micros)}  ${key}`);
  return lines.join('\n');
}

function areaOf(functionName: string, where: string): string {
  if (!where) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
  if (pkg) return `node_modules/${pkg[1]}`;
  if (where.startsWith('node:')) return where.split('/')[0].replace(/:.*$/, ':') + where.replace(/^node:/, '').split('/')[0];
  const own = /^dist\/((?:libs|apps)\/[^/]+)\/(?:src\/)?([^/]+)/.exec(where);
  return own ? `${own[1]}/${own[2].replace(/\.js$/, '')}` : where;
}

// ---------------------------------------------------------------------------------------------
// Report

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

const group = (n: number) => Math.round(n).toLocaleString('en-US');

function report(results: RunResult[], options: Options, machine: Record<string, string>): boolean {
  const out: string[] = [];
  out.push('', 'capflow import benchmark', '');
  for (const [key, value] of Object.entries(machine)) out.push(`  ${key.padEnd(12)} ${value}`);
  out.push('');
  const rate = (r: RunResult) => (r.accepted !== null ? r.accepted / r.seconds : 0);
  const mb = (bytes: number | null) => (bytes === null ? '?' : `${(bytes / 1e6).toFixed(0)} MB`);
  const table = (header: string[], rows: string[][]) => {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}`;
    out.push(line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '');
  };
  const label = (r: RunResult, index: number) => (options.runs > 1 ? `${r.store} #${(index % options.runs) + 1}` : r.store);
  const figures = (name: string, seconds: number, perSecond: number, rssMb: number | null) => [
    name,
    group(options.events),
    seconds.toFixed(1),
    group(perSecond),
    perSecond >= TARGET_EVENTS_PER_SECOND ? 'met' : 'MISSED',
    rssMb === null ? '?' : rssMb.toFixed(0),
    rssMb === null ? '?' : rssMb < TARGET_PEAK_RSS_MB ? 'met' : 'MISSED',
  ];
  const rows = results.map((r, i) => figures(label(r, i), r.seconds, rate(r), r.peakRssMb));
  if (options.runs > 1) {
    for (const store of options.stores) {
      const runs = results.filter((r) => r.store === store).sort((a, b) => rate(a) - rate(b));
      const median = runs[Math.floor(runs.length / 2)];
      const rss = runs.map((r) => r.peakRssMb ?? 0).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
      rows.push(figures(`${store} median`, median.seconds, rate(median), rss));
    }
  }
  table(
    [
      'store',
      'events',
      'seconds',
      'events/s',
      `target ≥${group(TARGET_EVENTS_PER_SECOND)}`,
      'peak RSS MB',
      `target <${TARGET_PEAK_RSS_MB}`,
    ],
    rows,
  );
  table(
    ['store', 'capflow CPU', 'machine CPU', 'busy before', 'capflow writes', 'server WAL', 'store size'],
    results.map((r, i) => {
      const cpu = r.userSeconds !== null && r.systemSeconds !== null ? r.userSeconds + r.systemSeconds : null;
      return [
        label(r, i),
        cpu === null ? '?' : `${cpu.toFixed(0)} s (${((100 * cpu) / r.seconds).toFixed(0)}%)`,
        `${r.machineBusySeconds.toFixed(0)} s (${((100 * r.machineBusySeconds) / r.seconds).toFixed(0)}%)`,
        r.busyBefore === null ? '?' : `${r.busyBefore.toFixed(2)} cores`,
        mb(r.writtenBytes),
        r.store === 'postgres' ? mb(r.serverWalBytes) : '-',
        mb(r.storeBytes),
      ];
    }),
  );
  out.push(
    `  CPU: core-seconds (share of one core over the wall time); ${cpus().length} cores, shared by capflow, the database and`,
    '  whatever else runs (machine − capflow = the database server plus other load; busy before: cores',
    '  in use in the 2 s before the run, above ~0.1 the machine was not idle). capflow writes: bytes the capflow process wrote to',
    '  files (SQLite: WAL and checkpoints). server WAL: WAL PostgreSQL generated during the run.',
  );
  let ok = true;
  for (const r of results) {
    out.push('', `  ${r.store}: ${r.command}`);
    const problems: string[] = [];
    if (r.exitCode !== 0) problems.push(`the import exited with ${r.exitCode}`);
    if (r.accepted !== options.events) problems.push(`accepted ${r.accepted ?? 'nothing'} of ${options.events} events`);
    if (r.duplicates) problems.push(`${r.duplicates} duplicates`);
    if (r.rejected === null) problems.push('no JSON summary on stdout');
    else if (r.rejected.length > 0) problems.push(`${r.rejected.length} rejected`);
    if (problems.length > 0) {
      ok = false;
      out.push(
        '',
        '  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
        `  !!! WARNING (${r.store}): ${problems.join('; ')}.`,
        '  !!! Every generated event should be accepted: the generator broke a rule (or the',
        '  !!! import failed), and these figures are not those of a clean import.',
        '  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      );
      for (const rejection of (r.rejected ?? []).slice(0, 5))
        out.push(`      line ${rejection.line}: ${rejection.reason}: ${rejection.detail}`);
      if (r.stderrTail) out.push(...r.stderrTail.split('\n').map((l) => `      ${l}`));
    }
  }
  if (options.cpuProfDir) out.push('', "  (profiled run: --cpu-prof slows the child; these figures are not the benchmark's)");
  process.stdout.write(`${out.join('\n')}\n`);
  return ok;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist/.build-stamp'))) log('note: run through `npm run bench:import` to build first');
  const machine: Record<string, string> = {
    CPU: cpuModel(),
    cores: String(cpus().length),
    RAM: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    PostgreSQL: options.stores.includes('postgres') ? await postgresVersion(options.postgresUrl) : 'not run',
    'peak RSS by': existsSync(TIME) ? '/usr/bin/time -v (max RSS of the capflow process)' : 'VmHWM of /proc/<pid>/status, polled',
  };
  const file = eventsFile(options.events, options.seed, log);
  machine.file = `${file} (${(statSync(file).size / 1e6).toFixed(0)} MB)`;
  const workDir = mkdtempSync('/tmp/capflow-bench-run-');
  if (options.cpuProfDir) mkdirSync(options.cpuProfDir, { recursive: true });
  const results: RunResult[] = [];
  try {
    for (const store of options.stores)
      for (let run = 1; run <= options.runs; run++) {
        log(`importing into ${store}${options.runs > 1 ? ` (run ${run} of ${options.runs})` : ''}…`);
        const profilesBefore = options.cpuProfDir ? new Set(readdirSync(options.cpuProfDir)) : new Set<string>();
        const result = await benchStore(store, file, workDir, options);
        log(
          `  ${result.seconds.toFixed(1)} s, ${group((result.accepted ?? 0) / result.seconds)} events/s, peak RSS ${result.peakRssMb?.toFixed(0) ?? '?'} MB`,
        );
        results.push(result);
        if (options.cpuProfDir) {
          for (const name of readdirSync(options.cpuProfDir).filter((n) => n.endsWith('.cpuprofile') && !profilesBefore.has(n))) {
            log(`\n${store}: ${summariseProfile(join(options.cpuProfDir, name))}\n`);
          }
        }
      }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  if (!report(results, options, machine)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}

/**
 * The ingest benchmark: events/s end to end from a Kafka topic pre-filled with a generated file
 * (1,000,000 events) to the store, through `capflow ingest`, into SQLite and PostgreSQL; beside
 * them, the raw consume rate of the same topic on the same machine (capflow's BatchConsumer, i.e.
 * kafkajs and a thin wrapper, with a handler that only counts), and the ratio of the two.
 *
 *   npm run bench:ingest -- [--events N] [--stores sqlite,postgres] [--partitions P] [--seed S]
 *                           [--postgres URL]
 *
 * Targets: at least 20,000 events/s end to end into PostgreSQL; a ratio to the raw rate of at least 0.5.
 *
 * It starts its own broker (infra/kafka/kafka.sh, in a temporary directory, stopped at the end,
 * also on failure or Ctrl-C) unless KAFKA_BROKERS names one. Each store gets a topic of its own
 * (`bench.<timestamp>.<store>.events`, P partitions: --partitions, else $CAPFLOW_KAFKA_PARTITIONS,
 * else 1), filled by `capflow produce FILE --json` (untimed): a shared topic would share its
 * `.retry` topic, and the second store's ingest would read the first one's retries. The raw rate is
 * taken on that same topic, just before the ingest; every reader has a consumer group of its own.
 *
 * End to end is timed from the spawn of `node apps/capflow/bin/capflow.js ingest --store URL` (so
 * start-up, warm-up and joining the group are included) until every record of the file is settled:
 * the store's head (polled every 250 ms) plus the records dead-lettered (from the ingest's
 * /metrics, which also give accepted, duplicates, rejections by reason and retries) = records
 * published. With several partitions the facts of different entities arrive in another order than
 * the file's: some are `unknown_reference` at first; the ingest holds them in memory and decides
 * them again with the next transactions (the batches of all partitions advance together, about
 * 8 MiB a fetch in all), where nearly all heal; the few that do not go through the retry topic
 * (backoff 1 s, doubled) and, if they still do not heal (a rule that compares facts in arrival
 * order), to the DLQ after 5 attempts, some 15 s after they came: that tail is part of the time.
 * All of them are counted. The default is one partition, the file's order; `--partitions 6` shows
 * the other case. Peak RSS is the ingest process's VmHWM, read just before its SIGTERM; the load
 * average at the start and the end of each run is printed beside it (others share the machine).
 */
import { EventStore, openEventStore } from '@capflow/event-store';
import { fetchBytesPerPartition, KafkaClient, kafkaSettings } from '@capflow/kafka';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { commonBenchOptions } from '../support/bench-options';
import { eventsFile } from '../support/events-file';
import { busyCores, machineLines, withPostgres, withSchema } from '../support/machine';
import { CAPFLOW, documentedNodeFlags, ROOT, timedCapflow } from '../support/timed-run';

const TARGET_POSTGRES_EVENTS_PER_SECOND = 20000;
const TARGET_RATIO = 0.5;
const KAFKA_SH = join(ROOT, 'infra/kafka/kafka.sh');
/** As the ingest process's transport (apps/ingest/src/kafka-batch.transport.ts): the raw reader does the same. */
const PARTITIONS_CONSUMED_CONCURRENTLY = 2;
const POLL_MS = 250;
/** Fail a run whose counts do not move for this long (the retry backoff before the DLQ is 15 s in all). */
const STALL_MS = 120_000;

/** Topics and ingest groups of this run: deleted at the end from a broker this benchmark did not start. */
const created = { topics: [] as string[], groups: [] as string[] };
const log = (line: string) => process.stderr.write(`${line}\n`);
const group = (n: number) => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Options {
  events: number;
  stores: string[];
  seed: number;
  partitions: number;
  postgresUrl: string;
}

function parseOptions(args: string[]): Options {
  const { value, events, stores, seed, postgresUrl } = commonBenchOptions(args);
  const partitions = Number(value('--partitions') ?? process.env.CAPFLOW_KAFKA_PARTITIONS ?? '1');
  if (!Number.isSafeInteger(partitions) || partitions < 1) throw new Error('--partitions must be a positive integer');
  return { events, stores, seed, partitions, postgresUrl };
}

// ---------------------------------------------------------------------------------------------
// Clean-up on Ctrl-C: the broker runs in a session of its own and would outlive the benchmark

const onSignal = new Set<() => void>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up…`);
    for (const cleanup of [...onSignal].reverse()) {
      try {
        cleanup();
      } catch {
        // best effort
      }
    }
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------
// The broker

interface Broker {
  brokers: string;
  /** The directory of the broker this benchmark started (null: KAFKA_BROKERS named one). */
  dir: string | null;
  startSeconds: number;
}

function startBroker(): Broker {
  const external = process.env.KAFKA_BROKERS?.trim();
  if (external) {
    log(`using the broker of KAFKA_BROKERS=${external}`);
    return { brokers: external, dir: null, startSeconds: 0 };
  }
  const dir = mkdtempSync('/tmp/capflow-bench-kafka-');
  onSignal.add(() => stopBroker(dir));
  log(`starting a broker in ${dir}…`);
  const started = process.hrtime.bigint();
  try {
    const out = execFileSync('bash', [KAFKA_SH, 'start', '--dir', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = out.trim().split('\n').pop() ?? '';
    if (!line.startsWith('KAFKA_BROKERS=')) throw new Error(`kafka.sh start printed no address: ${out}`);
    return { brokers: line.slice('KAFKA_BROKERS='.length), dir, startSeconds: Number(process.hrtime.bigint() - started) / 1e9 };
  } catch (error) {
    stopBroker(dir);
    throw error;
  }
}

function stopBroker(dir: string): void {
  try {
    execFileSync('bash', [KAFKA_SH, 'stop', '--dir', dir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The raw consume rate

interface RawResult {
  records: number;
  bytes: number;
  seconds: number;
  firstBatchSeconds: number | null;
}

/** Every record of the topic through a BatchConsumer whose handler only counts; timed from start(). */
async function rawConsume(brokers: string, topic: string, options: Options, records: number): Promise<RawResult> {
  const client = new KafkaClient(kafkaSettings({ brokers, topic, partitions: String(options.partitions) }));
  const groupId = `bench-raw-${process.pid}-${Date.now().toString(36)}`;
  // fetched as the ingest fetches it (apps/ingest/src/kafka-batch.transport.ts)
  const maxBytesPerPartition = fetchBytesPerPartition(options.partitions);
  const consumer = client.batchConsumer({ groupId, topics: [topic], fromBeginning: true, commit: false, maxBytesPerPartition });
  let seen = 0;
  let bytes = 0;
  let firstBatchSeconds: number | null = null;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    await consumer.start(async (batch) => {
      firstBatchSeconds ??= elapsed();
      seen += batch.messages.length;
      for (const message of batch.messages) bytes += message.value?.length ?? 0;
      if (seen >= records) done();
      return { handled: batch.messages.length };
    }, PARTITIONS_CONSUMED_CONCURRENTLY);
    let lastSeen = -1;
    let lastMove = Date.now();
    const crashed = consumer.failure().then((error) => {
      throw error;
    });
    for (;;) {
      const outcome = await Promise.race([finished.then(() => 'done' as const), crashed, sleep(POLL_MS).then(() => 'poll' as const)]);
      if (outcome === 'done') break;
      if (seen !== lastSeen) [lastSeen, lastMove] = [seen, Date.now()];
      else if (Date.now() - lastMove > STALL_MS) throw new Error(`raw consume stalled at ${seen} of ${records} records`);
    }
    return { records: seen, bytes, seconds: elapsed(), firstBatchSeconds };
  } finally {
    await consumer.stop().catch(() => undefined);
    await (await client.admin()).deleteGroups([groupId]).catch(() => undefined);
    await client.close();
  }
}

// ---------------------------------------------------------------------------------------------
// One ingest run

interface IngestCounts {
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Rejections by reason, deliveries through the retry topic included. */
  reasons: Map<string, number>;
  retried: number;
  deadLettered: number;
  /** unknown_reference decisions whose fact was held in memory for later transactions; held facts later sent to the retry topic undecided. */
  held: number;
  released: number;
  /** Input-topic partitions whose last batch left no lag. */
  drainedPartitions: number;
}

interface StoreResult {
  store: string;
  url: string;
  /** Records published: what should be settled. */
  records: number;
  seconds: number;
  firstAppendSeconds: number | null;
  drainedSeconds: number | null;
  /** The store's head when the input topic was drained (what follows is the retries' tail). */
  storedWhenDrained: number | null;
  counts: IngestCounts;
  /** The store's head when every record was settled (the events/s are of these). */
  storedAtEnd: number;
  peakRssMb: number | null;
  stopSeconds: number;
  exitCode: number | null;
  /** The store's head once the ingest has exited. */
  storeHead: number | null;
  raw: RawResult | null;
  /** Seconds `capflow produce` took to fill the topic (untimed). */
  produceSeconds: number;
  /** The 1-minute load average when the ingest started and when it was settled: others share the machine. */
  load: [number, number];
  topic: string;
  problems: string[];
  outputTail: string;
}

/** The ingest's counters, from its Prometheus text. */
function parseMetrics(text: string, topic: string): IngestCounts {
  const counts: IngestCounts = {
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    reasons: new Map(),
    retried: 0,
    deadLettered: 0,
    held: 0,
    released: 0,
    drainedPartitions: 0,
  };
  for (const line of text.split('\n')) {
    const match = /^(\w+)\{([^}]*)\}\s+(\S+)$/.exec(line);
    if (!match) continue;
    const labels = new Map([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const value = Number(match[3]);
    if (match[1] === 'capflow_ingest_events_total') {
      const outcome = labels.get('outcome');
      if (outcome === 'accepted') counts.accepted += value;
      else if (outcome === 'duplicate') counts.duplicates += value;
      else if (outcome === 'rejected') {
        counts.rejected += value;
        const reason = labels.get('reason') ?? '?';
        counts.reasons.set(reason, (counts.reasons.get(reason) ?? 0) + value);
      }
    } else if (match[1] === 'capflow_ingest_routed_total') {
      if (labels.get('topic') === 'retry') counts.retried += value;
      else if (labels.get('topic') === 'dlq') counts.deadLettered += value;
    } else if (match[1] === 'capflow_ingest_held_total') {
      if (labels.get('outcome') === 'held') counts.held += value;
      else if (labels.get('outcome') === 'released') counts.released += value;
    } else if (match[1] === 'capflow_ingest_lag' && labels.get('topic') === topic && value === 0) {
      counts.drainedPartitions += 1;
    }
  }
  return counts;
}

/** A port free now, for the ingest's /metrics (its "ingest started" line, with the URL, is info: not logged at warn). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
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

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

async function runIngest(
  store: string,
  url: string,
  brokers: string,
  topic: string,
  records: number,
  options: Options,
): Promise<StoreResult> {
  // The launcher compiles on demand when a source is newer than the build: let it do so now, untimed.
  execFileSync(process.execPath, [CAPFLOW, '--help'], { cwd: ROOT, stdio: 'ignore' });
  const port = await freePort();
  const groupId = `bench-ingest-${store}-${process.pid}-${Date.now().toString(36)}`;
  const env = {
    ...process.env,
    KAFKA_BROKERS: brokers,
    CAPFLOW_KAFKA_TOPIC: topic,
    CAPFLOW_KAFKA_GROUP: groupId,
    CAPFLOW_KAFKA_PARTITIONS: String(options.partitions),
    CAPFLOW_INGEST_PORT: String(port),
    CAPFLOW_LOG_LEVEL: 'warn',
  };
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  created.groups.push(groupId);
  const result: StoreResult = {
    store,
    url,
    records,
    seconds: 0,
    firstAppendSeconds: null,
    drainedSeconds: null,
    storedWhenDrained: null,
    counts: parseMetrics('', topic),
    storedAtEnd: 0,
    peakRssMb: null,
    stopSeconds: 0,
    exitCode: null,
    storeHead: null,
    raw: null,
    produceSeconds: 0,
    load: [loadavg()[0], 0],
    topic,
    problems: [],
    outputTail: '',
  };

  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  const child = spawn(process.execPath, [...documentedNodeFlags(), CAPFLOW, 'ingest', '--store', url], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = () => child.kill('SIGKILL');
  onSignal.add(kill);
  let output = '';
  const keep = (text: string) => (output = (output + text).slice(-64 * 1024));
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  let poller: EventStore | null = null;
  try {
    let lastProgress = '';
    let lastMove = Date.now();
    for (;;) {
      await sleep(POLL_MS);
      if (child.exitCode !== null || child.signalCode !== null) {
        result.problems.push(`the ingest exited early (${child.exitCode ?? child.signalCode})`);
        break;
      }
      let text: string;
      try {
        text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
      } catch {
        if (Date.now() - lastMove > STALL_MS) {
          result.problems.push(`no /metrics at ${metricsUrl} after ${STALL_MS / 1000} s`);
          break;
        }
        continue; // not listening yet
      }
      // it listens once its store is open and migrated: reading the head from here on is safe
      poller ??= await openEventStore(url);
      const head = (await poller.head()).position;
      const seconds = elapsed();
      const counts = parseMetrics(text, topic);
      [result.counts, result.storedAtEnd] = [counts, head];
      if (head > 0) result.firstAppendSeconds ??= seconds;
      if (counts.drainedPartitions >= options.partitions && result.drainedSeconds === null) {
        [result.drainedSeconds, result.storedWhenDrained] = [seconds, head];
      }
      if (head + counts.deadLettered >= records) {
        result.seconds = seconds;
        break;
      }
      const progress = `${head} ${counts.accepted + counts.duplicates + counts.rejected}`;
      if (progress !== lastProgress) [lastProgress, lastMove] = [progress, Date.now()];
      else if (Date.now() - lastMove > STALL_MS) {
        result.problems.push(`stalled for ${STALL_MS / 1000} s at ${group(head)} events stored`);
        break;
      }
    }
    if (!result.seconds) result.seconds = elapsed();
    result.load[1] = loadavg()[0];
    const kb = highWaterMarkKb(child.pid!);
    result.peakRssMb = kb === null ? null : kb / 1024;
    const stopping = process.hrtime.bigint();
    result.exitCode = await stopChild(child, exited);
    result.stopSeconds = Number(process.hrtime.bigint() - stopping) / 1e9;
  } finally {
    if (child.exitCode === null && child.signalCode === null) await stopChild(child, exited);
    onSignal.delete(kill);
  }
  result.outputTail = output.trim().split('\n').slice(-10).join('\n');
  try {
    poller ??= await openEventStore(url);
    result.storeHead = (await poller.head()).position;
  } catch (error) {
    result.problems.push(`could not read the store's head: ${(error as Error).message}`);
  } finally {
    await poller?.close();
  }
  const { accepted, duplicates, deadLettered } = result.counts;
  if (result.exitCode !== 0) result.problems.push(`the ingest exited with ${result.exitCode} after SIGTERM`);
  if ((result.storeHead ?? 0) + deadLettered !== records)
    result.problems.push(`${group(result.storeHead ?? 0)} stored + ${group(deadLettered)} dead-lettered of ${group(records)} records`);
  if (accepted !== result.storedAtEnd)
    result.problems.push(`its metrics count ${group(accepted)} accepted, the store held ${group(result.storedAtEnd)}`);
  if (duplicates) result.problems.push(`${group(duplicates)} duplicates`);
  return result;
}

/** Fills a topic of the store's own with the file (untimed). */
async function prefill(
  store: string,
  brokers: string,
  file: string,
  options: Options,
): Promise<{ topic: string; published: number; seconds: number }> {
  const topic = `bench.${Date.now()}.${store}.events`;
  created.topics.push(topic);
  // `capflow produce` takes the brokers and the partitions of the topics it creates from the environment
  process.env.KAFKA_BROKERS = brokers;
  process.env.CAPFLOW_KAFKA_PARTITIONS = String(options.partitions);
  log(`${store}: pre-filling ${topic} (${options.partitions} partitions)…`);
  const produced = await timedCapflow(['produce', file, '--topic', topic, '--json']);
  if (produced.exitCode !== 0) throw new Error(`produce failed: ${produced.stderrTail}`);
  const { published } = JSON.parse(produced.stdout) as { published: number };
  log(`  ${group(published)} records in ${produced.seconds.toFixed(1)} s`);
  return { topic, published, seconds: produced.seconds };
}

async function benchStore(store: string, brokers: string, file: string, options: Options): Promise<StoreResult> {
  const { topic, published, seconds } = await prefill(store, brokers, file, options);
  log(`${store}: raw consume of ${topic}…`);
  const raw = await rawConsume(brokers, topic, options, published);
  log(`  ${raw.seconds.toFixed(2)} s, ${group(raw.records / raw.seconds)} events/s`);
  log(`${store}: capflow ingest…`);
  let result: StoreResult;
  if (store === 'sqlite') {
    const dir = mkdtempSync('/tmp/capflow-bench-ingest-');
    const remove = () => rmSync(dir, { recursive: true, force: true });
    onSignal.add(remove);
    try {
      result = await runIngest(store, `sqlite:${join(dir, 'bench.db')}`, brokers, topic, published, options);
    } finally {
      remove();
      onSignal.delete(remove);
    }
  } else {
    const schema = `bench_ingest_${process.pid}_${Date.now().toString(36)}`;
    try {
      result = await runIngest(store, withSchema(options.postgresUrl, schema), brokers, topic, published, options);
    } finally {
      await withPostgres(options.postgresUrl, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).catch(() => undefined);
    }
  }
  result.raw = raw;
  result.produceSeconds = seconds;
  log(
    `  ${result.seconds.toFixed(1)} s, ${group(result.storedAtEnd / result.seconds)} events/s, peak RSS ${result.peakRssMb?.toFixed(0) ?? '?'} MB`,
  );
  return result;
}

// ---------------------------------------------------------------------------------------------
// Report

/**
 * The reasons of the dead-lettered records: every rejection but the unknown_reference ones that were
 * held in memory or sent to the retry topic (each such decision is one of the three; the held facts
 * released to the retry topic undecided are in `retried` too).
 */
function reasonsOfDeadLetters(c: IngestCounts): string {
  const reasons = new Map(c.reasons);
  reasons.set('unknown_reference', (reasons.get('unknown_reference') ?? 0) - c.held - (c.retried - c.released));
  return [...reasons]
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${group(n)}`)
    .join(', ');
}

function report(out: string[], results: StoreResult[]): boolean {
  const rawRate = (r: StoreResult) => (r.raw ? r.raw.records / r.raw.seconds : NaN);
  out.push(
    `raw consume of each store's topic (capflow's BatchConsumer on kafkajs, a handler that only counts, ${PARTITIONS_CONSUMED_CONCURRENTLY} partitions at once)`,
  );
  for (const r of results) {
    const raw = r.raw!;
    out.push(
      `  ${r.topic}: ${group(raw.records)} records, ${(raw.bytes / 1e6).toFixed(1)} MB in ${raw.seconds.toFixed(2)} s from start(): ` +
        `${group(rawRate(r))} events/s, first batch after ${raw.firstBatchSeconds?.toFixed(2) ?? '?'} s`,
    );
  }
  out.push('');
  const rows = results.map((r) => {
    const rate = r.storedAtEnd / r.seconds;
    const ratio = rate / rawRate(r);
    return [
      r.store,
      r.seconds.toFixed(1),
      group(rate),
      group(r.records / r.seconds),
      r.store === 'postgres' ? (rate >= TARGET_POSTGRES_EVENTS_PER_SECOND ? 'met' : 'MISSED') : '-',
      group(rawRate(r)),
      ratio.toFixed(2),
      ratio >= TARGET_RATIO ? 'met' : 'MISSED',
      r.peakRssMb === null ? '?' : r.peakRssMb.toFixed(0),
    ];
  });
  const header = [
    'end to end',
    'seconds',
    'events/s',
    'records/s',
    `target ≥${group(TARGET_POSTGRES_EVENTS_PER_SECOND)}`,
    'raw events/s',
    'ratio',
    `target ≥${TARGET_RATIO}`,
    'peak RSS MB',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}`;
  out.push(line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '');
  out.push(
    '  seconds: from the spawn of `capflow ingest` (start-up, warm-up, joining the group included) until every record is',
    '  settled (stored or dead-lettered), polled every 250 ms; events/s: events stored / seconds; records/s: records of',
    '  the topic / seconds; deliveries: records through the ingestion, retries included; ratio: events/s over the raw',
    "  consume's of the same topic; peak RSS: VmHWM of the ingest process.",
  );
  let ok = true;
  for (const r of results) {
    const c = r.counts;
    const reasons = [...c.reasons].map(([reason, n]) => `${reason} ${group(n)}`).join(', ');
    out.push(
      '',
      `  ${r.store}: node apps/capflow/bin/capflow.js ingest --store ${r.url.replace(/\/\/[^@/]*@/, '//')}`,
      `    topic ${r.topic}, pre-filled in ${r.produceSeconds.toFixed(1)} s (untimed); load average ${r.load[0].toFixed(2)} at the start, ${r.load[1].toFixed(2)} at the end (${cpus().length} cores)`,
      `    deliveries ${group(c.accepted + c.duplicates + c.rejected)}: accepted ${group(c.accepted)}, duplicates ${group(c.duplicates)}, ` +
        `rejected ${group(c.rejected)}${reasons ? ` (${reasons})` : ''}`,
      `    held in memory ${group(c.held)} times (unknown_reference: the fact referred to came on another partition, not appended yet; ` +
        'decided again with the next transactions)',
      `    retried ${group(c.retried)} deliveries through the retry topic${c.released ? ` (${group(c.released)} released from memory, no batch having come)` : ''}` +
        `, dead-lettered ${group(c.deadLettered)}${c.retried + c.held > 0 && r.storeHead === r.records ? ': every held or retried fact healed' : ''}`,
      `    first append after ${r.firstAppendSeconds?.toFixed(1) ?? '?'} s; input topic drained after ${r.drainedSeconds?.toFixed(1) ?? '?'} s; ` +
        `store head ${r.storeHead === null ? '?' : group(r.storeHead)}; stopped in ${r.stopSeconds.toFixed(1)} s after SIGTERM (exit ${r.exitCode})`,
    );
    if (r.drainedSeconds !== null && r.storedWhenDrained !== null) {
      out.push(
        `    when the input topic was drained: ${group(r.storedWhenDrained)} stored, ${group(r.storedWhenDrained / r.drainedSeconds)} events/s ` +
          `(ratio ${(r.storedWhenDrained / r.drainedSeconds / rawRate(r)).toFixed(2)}); the ${(r.seconds - r.drainedSeconds).toFixed(1)} s after it are the retries' tail`,
      );
    }
    if (c.deadLettered > 0) {
      out.push(
        `    note: ${group(c.deadLettered)} facts were dead-lettered (${reasonsOfDeadLetters(c)}): the generated facts are all valid in`,
        "    the file's order, these came in another one, across partitions; they are not in the events/s",
      );
    }
    if (r.problems.length > 0) {
      ok = false;
      out.push(
        '',
        '  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
        `  !!! WARNING (${r.store}): ${r.problems.join('; ')}.`,
        '  !!! Every generated event should be stored once: these figures are not those of',
        '  !!! a clean ingest.',
        '  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      );
      if (r.outputTail) out.push(...r.outputTail.split('\n').map((l) => `      ${l}`));
    }
  }
  return ok;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  execFileSync(process.execPath, [CAPFLOW, '--help'], { cwd: ROOT, stdio: 'ignore' }); // build, untimed
  const file = eventsFile(options.events, options.seed, log);
  const out = ['capflow ingest benchmark', '', ...(await machineLines(options.stores.includes('postgres') ? options.postgresUrl : null))];
  const broker = startBroker();
  try {
    out.push(
      `  busy before  ${(await busyCores(2000))?.toFixed(2) ?? '?'} cores`,
      `  events       ${options.events.toLocaleString('en-US')} (${file}, ${(statSync(file).size / 1e6).toFixed(1)} MB)`,
      `  Kafka        ${broker.dir ? `kafka.sh broker started for this run in ${broker.startSeconds.toFixed(1)} s` : 'KAFKA_BROKERS'} (${broker.brokers})`,
      `  partitions   ${options.partitions} per input topic`,
      '',
    );
    const results: StoreResult[] = [];
    for (const store of options.stores) results.push(await benchStore(store, broker.brokers, file, options));
    if (!report(out, results)) process.exitCode = 1;
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    if (broker.dir) {
      log('stopping the broker…');
      stopBroker(broker.dir);
    } else {
      // someone else's broker: leave it as found
      const client = new KafkaClient(kafkaSettings({ brokers: broker.brokers }));
      const admin = await client.admin().catch(() => null);
      await admin?.deleteGroups(created.groups).catch(() => undefined);
      await admin?.deleteTopics({ topics: created.topics.flatMap((t) => [t, `${t}.retry`, `${t}.dlq`]) }).catch(() => undefined);
      await client.close();
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

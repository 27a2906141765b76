/**
 * Helpers of the fault tier: a broker and a PostgreSQL of the test's own, which it may kill with
 * `kill -9` and start again on the same data; the append probe's evidence of where a kill landed;
 * and the figures each scenario prints.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, closeSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Client } from 'pg';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './cli';
import { sleep } from './eventually';
import type { Outcome } from './fault-workload';
import { kafkaEnv } from './kafka';

const KAFKA_SH = join(REPO_ROOT, 'infra/kafka/kafka.sh');

/**
 * Brokers refuse session timeouts under group.min.session.timeout.ms (6 s by default); the
 * tier's brokers allow 1 s, so that a killed member's partitions move within seconds and a
 * hundred kills fit the CI budget.
 */
export const FAULT_SESSION_TIMEOUT_MS = '3000';

/** A broker the test owns, from infra/kafka/kafka.sh. */
export class OwnBroker {
  private constructor(
    readonly dir: string,
    readonly brokers: string,
  ) {}

  static start(dir: string): OwnBroker {
    const out = execFileSync('bash', [KAFKA_SH, 'start', '--dir', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, CAPFLOW_KAFKA_EXTRA_CONFIG: 'group.min.session.timeout.ms=1000', CAPFLOW_KAFKA_LOG_LEVEL: 'WARN' },
    });
    return new OwnBroker(dir, out.trim().split('\n').pop()!.slice('KAFKA_BROKERS='.length));
  }

  /** SIGKILL to the JVM: no shutdown hook, no flush, no controlled leadership hand-over. */
  kill9(): void {
    const pid = Number(readFileSync(join(this.dir, 'kafka.pid'), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
    waitForExit(pid);
  }

  /** Starts it again on the same ports and data. */
  restart(): void {
    execFileSync('bash', [KAFKA_SH, 'restart', '--dir', this.dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  }

  stop(): void {
    execFileSync('bash', [KAFKA_SH, 'stop', '--dir', this.dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
}

function waitForExit(pid: number): void {
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    spawnSync('sleep', ['0.05']);
  }
  throw new Error(`process ${pid} did not exit after SIGKILL`);
}

const TEST_POSTGRES_URL = process.env.CAPFLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];

/** A store in a fresh schema of the test database; dropFaultSchemas drops them all. */
export function postgresStoreUrl(name: string): string {
  const schema = `faults_${name}_${process.pid}_${Date.now().toString(36)}`;
  schemas.push(schema);
  return `${TEST_POSTGRES_URL}?schema=${schema}`;
}

export async function dropFaultSchemas(): Promise<void> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A PostgreSQL cluster of the test's own (initdb into a scratch directory, trust auth on
 * 127.0.0.1), so that killing its postmaster touches no other test. PostgreSQL refuses to run as
 * root: as root the cluster belongs to the `postgres` user.
 */
export class OwnPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** A new cluster in a directory of its own under the system's temporary directory (which `postgres` can reach). */
  static async create(): Promise<OwnPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'capflow-faults-postgres-'));
    if (process.getuid?.() === 0) chownSync(dir, postgresUid(), postgresGid());
    const cluster = new OwnPostgres(dir, await freePort());
    cluster.run('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    cluster.start();
    return cluster;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  start(): void {
    // a killed postmaster's backends leave on noticing its death: retry until its memory is free
    for (let attempt = 0; ; attempt++) {
      const result = this.run(
        'pg_ctl',
        ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'postgres.log'), '-w', '-t', '60', '-o', `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir}`, 'start'],
        false,
      );
      if (result === 0) return;
      if (attempt >= 20) throw new Error(`PostgreSQL in ${this.dir} did not start:\n${readFileSync(join(this.dir, 'postgres.log'), 'utf8').slice(-2000)}`);
      spawnSync('sleep', ['0.5']);
    }
  }

  /** SIGKILL to the postmaster, as an OOM killer or a crashed host would. */
  kill9(): number {
    const pid = Number(readFileSync(join(this.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    waitForExit(pid);
    return pid;
  }

  /** Stops it and deletes its directory. */
  remove(): void {
    if (existsSync(join(this.dir, 'data', 'postmaster.pid'))) this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop'], false);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(tool: string, args: string[], check = true): number {
    const binary = join(postgresBin(), tool);
    const [command, commandArgs] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
    const result = spawnSync(command, commandArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (check && result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr}${result.stdout}`);
    return result.status ?? 1;
  }
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const version = execFileSync('ls', [root], { encoding: 'utf8' }).trim().split('\n').sort((a, b) => Number(b) - Number(a))[0];
  return join(root, version, 'bin');
}
const postgresUid = () => Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
const postgresGid = () => Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());

/** Where the append probe says a process was when it died. */
type KillLanding = 'inside' | 'between';

/** The probe file's last line: `open H` means the kill came inside an append transaction. */
export function landingOf(probeFile: string): { landing: KillLanding; openedAt: number | null } {
  const open = /(?:^|\n)open (\d+)\n$/.exec(tailOf(probeFile));
  return open ? { landing: 'inside', openedAt: Number(open[1]) } : { landing: 'between', openedAt: null };
}

/** The last bytes of a file (its last line is shorter), without reading what came before. */
function tailOf(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(size, 64));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('latin1');
  } finally {
    closeSync(fd);
  }
}

/** The head the probe's last line names: where the last transaction opened or what it committed. */
function probedHead(probeFile: string): number {
  const last = /(\d+)\n$/.exec(tailOf(probeFile));
  return last ? Number(last[1]) : 0;
}

/** Polls the probe file every millisecond until `ready` says so or `ms` pass; whether it did. */
async function untilProbe(probeFile: string, ms: number, ready: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (ready()) return true;
    await sleep(1);
  }
  return false;
}

/** Until a transaction is open: the kill that follows lands inside one as often as the poll allows. */
export const untilTransactionOpen = (probeFile: string, ms: number) => untilProbe(probeFile, ms, () => landingOf(probeFile).landing === 'inside');

/** Until an append beyond `head` committed: the process is past its start and making progress. */
export const untilCommittedBeyond = (probeFile: string, head: number, ms: number) => untilProbe(probeFile, ms, () => probedHead(probeFile) > head);

/** A scenario's figures, printed as one line so that CI's log carries them. */
export function printFigures(
  scenario: string,
  run: { kills: number; killsInsideTransaction?: number; started: number; expected: number; outcome: Outcome },
): void {
  const figures = {
    scenario,
    kills: run.kills,
    killsInsideTransaction: run.killsInsideTransaction,
    factsExpected: run.expected,
    factsLost: run.outcome.lost,
    factsDoubled: run.outcome.doubled,
    factsExtra: run.outcome.extra,
    deadLetters: run.outcome.deadLetters,
    seconds: Math.round((Date.now() - run.started) / 1000),
  };
  process.stderr.write(`fault figures ${JSON.stringify(figures)}\n`);
}

/** The environment of `capflow ingest` in the tier: the test's broker and topic, 3 delivery attempts, short sessions. */
export function faultEnv(broker: OwnBroker, topic: string, partitions: number, fetchBytes: number, extra: Record<string, string> = {}) {
  return kafkaEnv(topic, {
    KAFKA_BROKERS: broker.brokers,
    CAPFLOW_KAFKA_PARTITIONS: String(partitions),
    CAPFLOW_KAFKA_RETRY_ATTEMPTS: '3',
    CAPFLOW_KAFKA_SESSION_TIMEOUT_MS: FAULT_SESSION_TIMEOUT_MS,
    CAPFLOW_KAFKA_FETCH_BYTES: String(fetchBytes),
    ...extra,
  });
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** What the benchmarks ran on, printed beside their figures. */
export function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line ? line.split(':')[1].trim() : (cpus()[0]?.model ?? 'unknown');
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
}

/** Busy and total jiffies of all cores, from /proc/stat (zeros where there is none). */
export function cpuTimes(): { busy: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0); // idle + iowait
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** How many cores were busy, on average, over the next `ms` (null without /proc/stat). */
export async function busyCores(ms: number): Promise<number | null> {
  const before = cpuTimes();
  await new Promise((done) => setTimeout(done, ms));
  const after = cpuTimes();
  if (after.total === before.total) return null;
  return ((after.busy - before.busy) / (after.total - before.total)) * cpus().length;
}

export async function postgresVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0].server_version;
  } catch (error) {
    return `unreachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function withPostgres<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
}

/**
 * Runs `work` with a fresh store of the kind named: a SQLite file in a scratch directory, or a
 * schema of the PostgreSQL database; removed afterwards whatever happened.
 */
export async function withBenchStore<T>(kind: string, postgresUrl: string, bench: string, work: (url: string) => Promise<T>): Promise<T> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(`/tmp/capflow-bench-${bench}-`);
    try {
      return await work(`sqlite:${join(dir, 'bench.db')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const schema = `bench_${bench}_${process.pid}_${Date.now().toString(36)}`;
  try {
    return await work(withSchema(postgresUrl, schema));
  } finally {
    await withPostgres(postgresUrl, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).catch(() => undefined);
  }
}

export async function machineLines(postgresUrl: string | null): Promise<string[]> {
  return [
    `  CPU          ${cpuModel()}`,
    `  cores        ${cpus().length}`,
    `  RAM          ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `  node         ${process.version}`,
    `  PostgreSQL   ${postgresUrl ? await postgresVersion(postgresUrl) : 'not run'}`,
  ];
}

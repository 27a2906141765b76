/**
 * The audit API in this process against a real SQLite file: keys for each role, plain `fetch`,
 * and the built command line (run asynchronously, two at a time) to compare answers with.
 */
import type { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditApiConfig } from '../../../apps/audit-api/src/audit-api.config';
import { createAuditApi } from '../../../apps/audit-api/src/audit-api.bootstrap';
import { ApiKeyring } from '../../../apps/audit-api/src/auth/api-keyring';
import { CLI_PATH, REPO_ROOT, runCli } from '../../support/cli';

export const EXAMPLES = join(REPO_ROOT, 'test/fixtures/contract');
export const EXAMPLE = join(EXAMPLES, 'amazon-openai-loop.ndjson');
/** The example's lines, without the newline that ends the file. */
export const EXAMPLE_LINES = readFileSync(EXAMPLE, 'utf8').replace(/\n$/, '').split('\n');
export const EXPECTED = JSON.parse(readFileSync(join(EXAMPLES, 'amazon-openai-loop.expected.json'), 'utf8'));

/** One key per role, and one with two (names are what the access log shows). */
export function newKeys() {
  return {
    auditor: ApiKeyring.generate('alice-auditor', ['auditor']),
    ingest: ApiKeyring.generate('ian-ingest', ['ingest']),
    admin: ApiKeyring.generate('ada-admin', ['admin']),
    both: ApiKeyring.generate('otto-auditor-ingest', ['auditor', 'ingest']),
  };
}
export type Keys = ReturnType<typeof newKeys>;

export function keysSetting(keys: Keys): string {
  return ApiKeyring.format(Object.values(keys).map((key) => key.entry));
}

/** A JSON body, as the tests read it: shapes are asserted, not typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON (throws, naming the body, if it is not). */
  json: Json;
}

export interface CallOptions {
  /** A key sent as `Authorization: Bearer <key>`. */
  key?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer | ReadableStream<Uint8Array>;
}

export interface TestApi {
  app: INestApplication;
  url: string;
  storeUrl: string;
  keys: Keys;
  accessLogPath: string;
  call(path: string, options?: CallOptions): Promise<Answer>;
  /** GET with a key, expecting 200; the JSON body. */
  json(path: string, key?: string): Promise<Json>;
  /** Waits until the in-process projector has every read model at the log's head. */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  storeUrl: string;
  /** Beside the keys, the store and a silent log. */
  env?: Record<string, string>;
  projector?: boolean;
  keys?: Keys;
  accessLogPath?: string;
}

export async function startApi(options: StartOptions): Promise<TestApi> {
  const keys = options.keys ?? newKeys();
  const accessLogPath = options.accessLogPath ?? join(scratchDirectory(), 'access-log.ndjson');
  const env = { CAPFLOW_API_KEYS: keysSetting(keys), CAPFLOW_ACCESS_LOG: accessLogPath, CAPFLOW_LOG_LEVEL: 'silent', ...options.env };
  const config = AuditApiConfig.fromEnvironment(env, { storeUrl: options.storeUrl, host: '127.0.0.1', port: '0' });
  const app = await createAuditApi(config, { projector: options.projector ?? true, projectorPollMs: 50 });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const call = (path: string, call: CallOptions = {}) => request(url, path, call);
  const api: TestApi = {
    app,
    url,
    storeUrl: options.storeUrl,
    keys,
    accessLogPath,
    call,
    json: async (path, key = keys.auditor.key) => {
      const answer = await call(path, { key });
      if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}: ${answer.text}`);
      return answer.json;
    },
    caughtUp: async () => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const health = (await call('/health')).json;
        if (health.readModels?.lag === 0 && health.readModels.position === health.store.head) return;
        if (Date.now() > deadline) throw new Error(`the read models did not catch up: ${JSON.stringify(health)}`);
        await sleep(50);
      }
    },
    close: () => app.close(),
  };
  return api;
}

export async function request(url: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  const init: RequestInit & { duplex?: 'half' } = { method: options.method ?? 'GET', headers, body: options.body };
  if (options.body instanceof ReadableStream) init.duplex = 'half';
  const response = await fetch(`${url}${path}`, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    get json() {
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(
          `${options.method ?? 'GET'} ${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 300)}`,
        );
      }
    },
  };
}

const scratchDirectories: string[] = [];
/** A new temporary directory, removed by removeScratch(). */
export function scratchDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'capflow-api-'));
  scratchDirectories.push(directory);
  return directory;
}
export function removeScratch(): void {
  for (const directory of scratchDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
}

/** Writes lines [from, to) of the example (1-based, as import counts them) to a file. */
export function exampleSlice(directory: string, from: number, to: number): string {
  const path = join(directory, `example-${from}-${to}.ndjson`);
  writeFileSync(path, `${EXAMPLE_LINES.slice(from - 1, to - 1).join('\n')}\n`);
  return path;
}

/** `capflow import FILE --store STORE --json`, whose exit code is 0 or 2. */
export function cliImport(
  file: string,
  store: string,
): { accepted: number; duplicates: number; rejected: { line: number; eventId: string | null; reason: string; detail: string }[] } {
  const result = runCli(['import', file, '--store', store, '--json']);
  if (result.status !== 0 && result.status !== 2) throw new Error(`capflow import exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

let running = 0;
const waiting: (() => void)[] = [];

/** `capflow <args>` as a child process (at most two at a time); its stdout, which it must exit 0 with. */
export async function cli(args: readonly string[]): Promise<string> {
  while (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [CLI_PATH, ...args],
        { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`capflow ${args.join(' ')} failed (${error.message}): ${stderr}`)) : resolve(stdout),
      ),
    );
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

export async function cliJson(args: readonly string[]): Promise<Json> {
  return JSON.parse(await cli([...args, '--json']));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

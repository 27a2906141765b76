import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository root, where the command line runs unless told otherwise. */
export const REPO_ROOT = resolve(__dirname, '../..');
/** The launcher users run (`npm run capflow` runs the same file). */
export const CLI_PATH = join(REPO_ROOT, 'apps/capflow/bin/capflow.js');

export interface RunCliOptions {
  /** Working directory; default the repository root. */
  cwd?: string;
  /** Added to (or, with undefined values, removed from) this process's environment. */
  env?: Record<string, string | undefined>;
  /** Bytes written to the command's standard input. */
  input?: string | Buffer;
  /** Killed (SIGKILL) and reported as an error after this long; default 120 s. */
  timeoutMs?: number;
  /** Largest stdout or stderr kept; default 256 MiB. */
  maxBuffer?: number;
  /** A command to run node under, e.g. ['/usr/bin/time', '-v']. */
  prefix?: string[];
}

export interface CliResult {
  /** Exit code; null when killed by a signal. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `capflow <args>` as a child process, the way a user does, and waits for it.
 * Throws only when it could not run or did not finish in time; a non-zero exit is a result.
 */
export function runCli(args: readonly string[], options: RunCliOptions = {}): CliResult {
  const [command, ...before] = [...(options.prefix ?? []), process.execPath];
  const result = spawnSync(command, [...before, CLI_PATH, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    killSignal: 'SIGKILL',
    maxBuffer: options.maxBuffer ?? 256 * 1024 * 1024,
  });
  if (result.error) {
    throw new Error(`capflow ${args.join(' ')} did not complete: ${result.error.message}\nstderr: ${result.stderr ?? ''}`);
  }
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

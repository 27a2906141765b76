import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../../..'); // dist/test/bench/support → the repository
export const CAPFLOW = join(ROOT, 'apps/capflow/bin/capflow.js');
const TIME = '/usr/bin/time';

/** The node flags of `npm run capflow` (package.json), so benchmarks run capflow as users do. */
export function documentedNodeFlags(): string[] {
  const script: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.capflow;
  return script.split(/\s+/).filter((word) => word.startsWith('--'));
}

export interface TimedRun {
  seconds: number;
  exitCode: number | null;
  stdout: string;
  stderrTail: string;
  peakRssMb: number | null;
}

/** Runs `capflow <args>` as users do, timing it from spawn to exit, with its peak RSS. */
export async function timedCapflow(args: string[]): Promise<TimedRun> {
  const node = [...documentedNodeFlags(), CAPFLOW, ...args];
  const useTime = existsSync(TIME);
  const [command, commandArgs] = useTime ? [TIME, ['-v', process.execPath, ...node]] : [process.execPath, node];
  const started = process.hrtime.bigint();
  const child = spawn(command, commandArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-64 * 1024)));
  const exitCode = await new Promise<number | null>((done) => child.on('close', done));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(stderr);
  return {
    seconds,
    exitCode,
    stdout,
    stderrTail: stderr
      .split('\n')
      .filter((l) => l.trim() && !/^\s+\S.*:\s/.test(l))
      .slice(-5)
      .join('\n'),
    peakRssMb: rss ? Number(rss[1]) / 1024 : null,
  };
}

import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATOR_VERSION, writeEventsFile } from '../import/generate-events';

/** A generated file of `events` facts, cached under /tmp by count, seed and generator version. */
export function eventsFile(events: number, seed: number, log: (line: string) => void): string {
  const dir = '/tmp/capflow-bench';
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `events-v${GENERATOR_VERSION}-seed${seed}-n${events}.ndjson`);
  if (existsSync(path)) {
    log(`reusing ${path} (${(statSync(path).size / 1e6).toFixed(1)} MB)`);
    return path;
  }
  log(`generating ${events} events → ${path}`);
  const started = process.hrtime.bigint();
  const stats = writeEventsFile(path, { events, seed });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const mix = Object.entries(stats.byType)
    .sort((a, b) => b[1] - a[1])
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
  log(`  ${(stats.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s: ${mix}; ${stats.late} late-arriving`);
  return path;
}

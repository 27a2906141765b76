import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/** The lines of a fixture (a path from the repository's root) as raw bytes: some hostile lines are not UTF-8. */
export function fixtureLines(file: string): Buffer[] {
  const bytes = readFileSync(join(ROOT, file));
  const lines: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    const end = bytes.indexOf(0x0a, start);
    lines.push(bytes.subarray(start, end < 0 ? bytes.length : end));
    start = end < 0 ? bytes.length : end + 1;
  }
  return lines;
}

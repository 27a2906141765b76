import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessEntry, AccessLog } from './access-log';

const entry = (n: number): AccessEntry => ({
  time: `2026-11-26T10:00:${String(n % 60).padStart(2, '0')}.000Z`,
  requestId: `r-${n}-${'é'.repeat(n % 5)}`, // multi-byte text across chunk boundaries
  principal: n % 3 === 0 ? null : 'auditor-1',
  method: 'GET',
  path: '/api/reports/round-trips',
  query: ['asOf'],
  status: 200,
  ms: n,
  ip: '127.0.0.1',
});

describe('the access log', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'capflow-access-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([7, 64, 1024 * 1024])('pages through every entry once, in order, reading %i bytes at a time', (chunk) => {
    const log = new AccessLog(join(dir, 'access.log'), chunk);
    const written = Array.from({ length: 53 }, (_, n) => entry(n));
    for (const one of written) log.append(one);
    const seen: AccessEntry[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const page: { entries: AccessEntry[]; next: number | null } = log.read(after, 10);
      seen.push(...page.entries);
      after = page.next;
    }
    expect(seen).toEqual(written);
    expect(log.read(50, 3)).toEqual({ entries: written.slice(50), next: null }); // the page ends at the last line
    expect(log.read(49, 3)).toEqual({ entries: written.slice(49, 52), next: 52 });
    expect(log.read(53, 10)).toEqual({ entries: [], next: null });
    expect(log.read(500, 10)).toEqual({ entries: [], next: null });
    log.close();
  });

  it('reads a last line without its newline, and skips empty lines', () => {
    const path = join(dir, 'access.log');
    appendFileSync(path, `${JSON.stringify(entry(1))}\n\n${JSON.stringify(entry(2))}`);
    const log = new AccessLog(path, 16);
    expect(log.read(0, 10)).toEqual({ entries: [entry(1), entry(2)], next: null });
    log.close();
  });

  it('answers an empty page when there is no log yet', () => {
    const log = new AccessLog(join(dir, 'access.log'));
    log.close();
    rmSync(join(dir, 'access.log'));
    expect(log.read(0, 10)).toEqual({ entries: [], next: null });
  });
});

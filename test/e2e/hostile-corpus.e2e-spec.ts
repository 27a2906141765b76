/**
 * Hostile input, end to end: the built command line imports test/fixtures/hostile/corpus.ndjson
 * (every line malformed or refused, see build-corpus.js) into an empty store, on SQLite and on
 * PostgreSQL. Each line must be rejected with the code EVENTS.md gives for it, the process must
 * survive to print its summary, and the store must be left as empty as it was found.
 *
 * Then a file generated here (too big to check in): a 10 MB JSON line, a 10 MB garbage line,
 * a line nested 100,000 levels deep and one valid event, imported under a memory watch.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT, runCli } from '../support/cli';

jest.setTimeout(300_000);

interface RejectedLine {
  line: number;
  eventId: string | null;
  reason: string;
  detail: string;
}

interface ImportReport {
  accepted: number;
  duplicates: number;
  rejected: RejectedLine[];
}

interface Expectation {
  reason: string;
  eventId: string | null;
  why: string;
}

const FIXTURES = join(REPO_ROOT, 'test/fixtures/hostile');
const CORPUS = join(FIXTURES, 'corpus.ndjson');
const EXPECTED: Record<string, Expectation> = JSON.parse(readFileSync(join(FIXTURES, 'corpus.expected.json'), 'utf8'));
const EXPECTED_LINES = Object.entries(EXPECTED).map(([line, expectation]) => ({ line: Number(line), ...expectation }));

const TEST_POSTGRES_URL = process.env.CAPFLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const TIME = '/usr/bin/time';
const MAX_RSS_BYTES = 400 * 1024 * 1024;

/** Numbers of the lines import must answer for: every line but blank ones (only spaces, tabs, CR). */
function nonBlankLineNumbers(file: string): number[] {
  const bytes = readFileSync(file);
  const numbers: number[] = [];
  let start = 0;
  for (let number = 1; start < bytes.length; number++) {
    const end = bytes.indexOf(0x0a, start);
    const line = bytes.subarray(start, end === -1 ? bytes.length : end);
    if (line.some((byte) => byte !== 0x20 && byte !== 0x09 && byte !== 0x0d)) numbers.push(number);
    start = end === -1 ? bytes.length : end + 1;
  }
  return numbers;
}

function importInto(file: string, store: string, prefix?: string[]) {
  const result = runCli(['import', file, '--store', store, '--json'], { prefix });
  let report: ImportReport | null = null;
  try {
    report = JSON.parse(result.stdout) as ImportReport;
  } catch {
    // asserted by the tests: the summary must be JSON
  }
  return { ...result, report };
}

function byLine(report: ImportReport | null): Map<number, RejectedLine> {
  return new Map((report?.rejected ?? []).map((entry) => [entry.line, entry]));
}

interface StoreUnderTest {
  name: string;
  url: string;
  cleanUp(): Promise<void>;
}

function sqliteStore(): StoreUnderTest {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-hostile-'));
  return { name: 'sqlite', url: `sqlite:${join(dir, 'ledger.db')}`, cleanUp: async () => rmSync(dir, { recursive: true, force: true }) };
}

function postgresStore(): StoreUnderTest {
  const schema = `hostile_${process.pid}_${randomUUID().slice(0, 8)}`;
  return {
    name: 'postgres',
    url: `${TEST_POSTGRES_URL}${TEST_POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`,
    async cleanUp() {
      const client = new Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

describe.each([
  ['sqlite', sqliteStore],
  ['postgres', postgresStore],
])('the hostile corpus on %s', (_name, makeStore) => {
  let store: StoreUnderTest;
  let run: ReturnType<typeof importInto>;
  let rejected: Map<number, RejectedLine>;

  beforeAll(() => {
    store = makeStore();
    run = importInto(CORPUS, store.url);
    rejected = byLine(run.report);
  });

  afterAll(async () => {
    await store?.cleanUp();
  });

  it('survives the whole file and exits 2 (some lines rejected) with a JSON summary', () => {
    expect(run.signal).toBeNull();
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 2, stderr: '' });
    expect(run.report).not.toBeNull();
  });

  it('accepts nothing and counts no duplicates', () => {
    expect(run.report).toMatchObject({ accepted: 0, duplicates: 0 });
  });

  it('answers for every non-blank line exactly once, and for no other line', () => {
    const lines = run.report!.rejected.map((entry) => entry.line);
    expect(new Set(lines).size).toBe(lines.length);
    expect([...lines].sort((a, b) => a - b)).toEqual(nonBlankLineNumbers(CORPUS));
    expect(nonBlankLineNumbers(CORPUS)).toEqual(EXPECTED_LINES.map((entry) => entry.line));
  });

  it.each(EXPECTED_LINES)('line $line ($why): $reason', ({ line, reason, eventId }) => {
    const entry = rejected.get(line);
    expect(entry && { reason: entry.reason, eventId: entry.eventId }).toEqual({ reason, eventId });
    expect(typeof entry!.detail === 'string' && entry!.detail.length > 0).toBe(true);
  });

  it('leaves the store empty: `events` lists nothing', () => {
    const events = runCli(['events', '--json', '--store', store.url]);
    expect({ status: events.status, stdout: events.stdout, stderr: events.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('leaves the store empty: `verify` finds an intact chain of 0 events', () => {
    const verify = runCli(['verify', '--json', '--store', store.url]);
    expect(verify.status).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, checked: 0, headPosition: 0 });
  });
});

describe('huge and deep lines, generated at test time', () => {
  const TEN_MB = 10 * 1024 * 1024;
  const hasTime = existsSync(TIME);
  let dir: string;
  let file: string;
  let storeUrl: string;
  let run: ReturnType<typeof importInto>;
  const validId = randomUUID();

  /** Line 1: a 10 MB JSON object (an event padded with a huge string field). */
  function paddedEvent(): string {
    const head = JSON.stringify({
      eventId: randomUUID(),
      type: 'PartyRegistered',
      occurredAt: '2025-11-03T09:00:00Z',
      source: 'hostile-e2e',
      data: { partyId: 'padded', name: 'Padded', kind: 'other' },
    });
    return `${head.slice(0, -1)},"padding":"${'x'.repeat(TEN_MB)}"}`;
  }

  /** Line 2: 10 MB of bytes that are neither JSON nor UTF-8, without a newline until the end. */
  function garbage(): Buffer {
    const bytes = Buffer.alloc(TEN_MB);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      bytes[i] = (x >> 16) & 0xff;
      if (bytes[i] === 0x0a) bytes[i] = 0xff;
    }
    return bytes;
  }

  /** Line 3: an event whose data holds arrays nested 100,000 levels deep (valid JSON). */
  function deepEvent(): string {
    const head = JSON.stringify({
      eventId: randomUUID(),
      type: 'PartyRegistered',
      occurredAt: '2025-11-03T09:00:00Z',
      source: 'hostile-e2e',
      data: { partyId: 'deep', name: 'Deep', kind: 'other' },
    });
    return `${head.slice(0, -2)},"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
  }

  /** Line 4: a valid PartyRegistered. */
  function validEvent(): string {
    return JSON.stringify({
      eventId: validId,
      type: 'PartyRegistered',
      occurredAt: '2025-11-03T09:00:00Z',
      source: 'hostile-e2e',
      data: { partyId: 'survivor', name: 'Survivor', kind: 'other' },
    });
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'capflow-huge-'));
    file = join(dir, 'huge.ndjson');
    storeUrl = `sqlite:${join(dir, 'ledger.db')}`;
    const fd = openSync(file, 'w');
    try {
      for (const line of [paddedEvent(), garbage(), deepEvent(), validEvent()]) {
        writeSync(fd, typeof line === 'string' ? Buffer.from(line, 'utf8') : line);
        writeSync(fd, '\n');
      }
    } finally {
      closeSync(fd);
    }
    run = importInto(file, storeUrl, hasTime ? [TIME, '-v'] : undefined);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('survives and exits 2 with a JSON summary', () => {
    expect(run.signal).toBeNull();
    expect(run.status).toBe(2);
    expect(run.report).not.toBeNull();
  });

  it('rejects the 10 MB lines and the deep line as schema_violation (over 64 KiB: refused before parsing)', () => {
    const rejected = run.report!.rejected.map(({ line, reason }) => ({ line, reason }));
    expect(rejected).toEqual([
      { line: 1, reason: 'schema_violation' },
      { line: 2, reason: 'schema_violation' },
      { line: 3, reason: 'schema_violation' },
    ]);
  });

  it('accepts the valid event after them, and stores only it', () => {
    expect(run.report).toMatchObject({ accepted: 1, duplicates: 0 });
    const events = runCli(['events', '--json', '--store', storeUrl]);
    expect(events.status).toBe(0);
    const stored = events.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { eventId: string; metadata: unknown });
    expect(stored).toEqual([expect.objectContaining({ eventId: validId, metadata: { import: { file: 'huge.ndjson', line: 4 } } })]);
    const verify = runCli(['verify', '--json', '--store', storeUrl]);
    expect(verify.status).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, checked: 1 });
  });

  (hasTime ? it : it.skip)(
    hasTime
      ? 'keeps its peak memory (maximum resident set size, /usr/bin/time -v) under 400 MB'
      : 'keeps its peak memory under 400 MB: SKIPPED, /usr/bin/time is missing',
    () => {
      const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr);
      expect(match).not.toBeNull();
      expect(Number(match![1]) * 1024).toBeLessThan(MAX_RSS_BYTES);
    },
  );
});

/**
 * `capflow replay` rebuilds on a thread with a bounded heap: a ledger that needs more than the
 * budget is refused in one line naming it and the option that raises it, exit 1, no crash, and
 * the read models it was replacing go on serving, unchanged and still matching the log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEventsFile } from '../bench/import/generate-events';
import { runCli } from '../support/cli';

jest.setTimeout(300_000);

let scratch: string;
let store: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'capflow-replay-budget-'));
  const facts = join(scratch, 'facts.ndjson');
  // 100,000 facts: a live heap several times the 32 MB budget below
  writeEventsFile(facts, { events: 100_000, seed: 11 });
  store = `sqlite:${join(scratch, 'ledger.db')}`;
  expect(runCli(['import', facts, '--store', store, '--json'], { timeoutMs: 280_000 }).status).toBe(0);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const json = (args: string[]) => {
  const result = runCli(args, { timeoutMs: 280_000 });
  if (result.status !== 0) throw new Error(`capflow ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout);
};

describe('capflow replay within a heap budget', () => {
  it('past its budget: one line naming the budget and --heap-mb, exit 1, and the read models before it still served', () => {
    const rebuilt = json(['replay', '--store', store, '--json']);
    const balances = json(['balances', '--store', store, '--json']);
    const trips = json(['report', 'round-trips', '--policy', 'pro_rata', '--store', store, '--json']);

    const refused = runCli(['replay', '--heap-mb', '32', '--store', store], { timeoutMs: 280_000 });
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^capflow: the replay needs more than the 32 MB of heap .*--heap-mb$/)]);

    expect(json(['balances', '--store', store, '--json'])).toEqual(balances);
    expect(json(['report', 'round-trips', '--policy', 'pro_rata', '--store', store, '--json'])).toEqual(trips);
    const verified = runCli(['verify', '--store', store, '--json'], { timeoutMs: 280_000 });
    expect(verified.status).toBe(0);
    // and a replay with room gives the same digest as before the refused one
    expect(json(['replay', '--store', store, '--json']).digest).toBe(rebuilt.digest);
  });

  it.each(['0', '31', '1.5', 'lots'])('refuses --heap-mb %s, naming the option', (value) => {
    const result = runCli(['replay', '--heap-mb', value, '--store', store]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--heap-mb');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendProbeFile } from './append-probe';
import { newEvent } from './testing/event-store.contract';
import { postgresHarness } from './testing/postgres-harness';
import { sqliteHarness } from './testing/sqlite-harness';
import type { StoreHarness } from './testing/store-harness';

// The fault tier counts kills inside append transactions from these lines: they must say exactly
// when a transaction held the head's lock, on each store the tier kills.
describe.each([
  ['SQLite', sqliteHarness],
  ['PostgreSQL', postgresHarness],
])('the append probe on %s', (_name, createHarness: () => StoreHarness) => {
  let harness: StoreHarness;
  let dir: string;
  beforeEach(() => {
    harness = createHarness();
    dir = mkdtempSync(join(tmpdir(), 'capflow-probe-'));
  });
  afterEach(async () => {
    await harness.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a line when a transaction opens at a head and one when it commits or rolls back', async () => {
    const path = join(dir, 'probe.log');
    const probe = appendProbeFile(path);
    const store = await harness.open({ probe });
    await store.append('s', [newEvent(), newEvent()]);
    await expect(
      store.withAppendLock(async (session) => {
        await session.append([{ streamId: 's', events: [newEvent()] }]);
        expect(readFileSync(path, 'utf8').trim().split('\n').pop()).toBe('open 2'); // inside: the last line is open
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await store.append('s', [newEvent()]);
    probe.close();
    expect(readFileSync(path, 'utf8')).toBe('open 0\ncommitted 2\nopen 2\nrolled_back 2\nopen 2\ncommitted 3\n');
  });
});

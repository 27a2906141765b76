/**
 * The read side recomputed from the log equals what the projector stored, however it was stored:
 * a ledger of the benchmark's generator (late facts, reversals) appended in batches and caught up
 * after each (documents and restatements written step by step, in recorded order), then rebuilt
 * (a pass in business order, taking snapshots), then appended to and caught up again (snapshots
 * now older than the documents, restatements chained on). Each time `verifyReadSide` finds nothing,
 * also while the projector writes; a store left behind the log is compared as of its checkpoints.
 * A real SQLite file and PostgreSQL.
 */
import type { EventStore } from '@capflow/event-store';
import { openEventStore } from '@capflow/event-store';
import { TEST_POSTGRES_URL } from '@capflow/event-store/testing';
import { IngestionService } from '@capflow/ingestion';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { generateEvents } from '../../../test/bench/import/generate-events';
import { openReadModelStore } from './open-read-model-store';
import { Projector } from './projector';
import { PROJECTIONS, ReadModelStore } from './read-model.store';
import { verifyReadSide } from './verify-read-side';

jest.setTimeout(180_000);

const EVENTS = 1500;
const BATCH = 150;

describe.each([
  [
    'SQLite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'capflow-verify-read-side-'));
      return { url: `sqlite:${join(dir, 'capflow.db')}`, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'PostgreSQL',
    () => {
      const schema = `vrs_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      return {
        url: `${TEST_POSTGRES_URL}${TEST_POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`,
        dispose: async () => {
          const client = new Client({ connectionString: TEST_POSTGRES_URL });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
        },
      };
    },
  ],
])('the read side against the log in %s', (_, place) => {
  let store: EventStore;
  let readModels: ReadModelStore;
  let dispose: () => Promise<void>;
  const lines = [...generateEvents({ events: EVENTS + 3 * BATCH, seed: 11, spanDays: 90 })].map((e) => JSON.stringify(e));

  /** Appends lines [from, to) in batches, catching the read models up after each one unless `projector` is null. */
  const append = async (from: number, to: number, projector: Projector | null) => {
    const ingestion = new IngestionService(store);
    for (let i = from; i < to; i += BATCH) {
      await ingestion.ingest(lines.slice(i, Math.min(i + BATCH, to)).map((input) => ({ input })));
      await projector?.catchUp();
    }
  };

  beforeAll(async () => {
    const opened = place();
    dispose = opened.dispose;
    store = await openEventStore(opened.url);
    readModels = await openReadModelStore(opened.url);
  });
  afterAll(async () => {
    await readModels?.close();
    await store?.close();
    await dispose?.();
  });

  it('caught up step by step: every projection matches, restatements row by row', async () => {
    await append(0, EVENTS, new Projector(store, readModels));
    const report = await verifyReadSide(store, readModels);
    expect(report.problem).toBeNull();
    expect(report.checked.map((check) => check.readModel)).toEqual([...PROJECTIONS]);
    expect(report.checked.find((check) => check.readModel === 'restatements')!.rows).toBeGreaterThan(5);
    expect(report.checked.every((check) => check.behind === 0)).toBe(true);
  });

  it('rebuilt with snapshots, then caught up past them: still every row, and each snapshot at its checkpoint', async () => {
    await new Projector(store, readModels, { snapshotEvery: 200 }).rebuild([...PROJECTIONS]);
    await append(EVENTS, EVENTS + BATCH, new Projector(store, readModels));
    const report = await verifyReadSide(store, readModels);
    expect(report.problem).toBeNull();
    const snapshots = report.checked.find((check) => check.readModel === 'snapshots')!;
    expect(snapshots.rows).toBeGreaterThan(5);
    expect(snapshots.behind).toBeGreaterThan(0);
  });

  it('while the projector writes new checkpoints: each read model as of the one it was read at, nothing reported', async () => {
    const verifying = verifyReadSide(store, readModels);
    await append(EVENTS + BATCH, EVENTS + 2 * BATCH, new Projector(store, readModels, { flushEvery: 20 }));
    const report = await verifying;
    expect(report.problem).toBeNull();
    expect(report.checked.map((check) => check.readModel)).toEqual([...PROJECTIONS, 'snapshots']);
  });

  it('left behind the log: compared as of the checkpoints, reported behind', async () => {
    await append(EVENTS + 2 * BATCH, lines.length, null);
    const report = await verifyReadSide(store, readModels);
    expect(report.problem).toBeNull();
    expect(report.checked.every((check) => check.behind > 0)).toBe(true);
  });
});

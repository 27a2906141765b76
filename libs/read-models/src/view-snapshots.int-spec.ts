/**
 * Views from snapshots on real stores (a SQLite file, a PostgreSQL schema): a ledger of the
 * benchmark's generator (late facts and reversals) appended in several batches, rebuilt (which
 * stores the snapshots), then views as of business times and known at ledger times computed from
 * the snapshots equal the same views computed by one pass from the start; so do they after more
 * facts arrive late, which some snapshots no longer hold.
 */
import type { EventStore } from '@capflow/event-store';
import { openEventStore } from '@capflow/event-store';
import { TEST_POSTGRES_URL } from '@capflow/event-store/testing';
import { IngestionService } from '@capflow/ingestion';
import { SNAPSHOT_FORMAT } from '@capflow/projections';
import type { LedgerView } from '@capflow/projections';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { generateEvents } from '../../../test/bench/import/generate-events';
import { openReadModelStore } from './open-read-model-store';
import { Projector } from './projector';
import type { ReadModelStore } from './read-model.store';
import { computeView } from './view-snapshots';

jest.setTimeout(180_000);

const EVENTS = 3000;
const BATCH = 400;

function reports(view: LedgerView) {
  return {
    balances: view.balancesReport(null),
    fifo: view.roundTripsReport('fifo', null),
    pro_rata: view.roundTripsReport('pro_rata', null),
    commitments: view.commitmentsReport(null),
    credits: view.creditsReport(null),
    flows: view.flowsReport(null),
  };
}

describe.each([
  [
    'SQLite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'capflow-snapshots-'));
      return { url: `sqlite:${join(dir, 'capflow.db')}`, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'PostgreSQL',
    () => {
      const schema = `snap_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
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
])('views from snapshots in %s', (_, place) => {
  let store: EventStore;
  let readModels: ReadModelStore;
  let dispose: () => Promise<void>;
  const lines = [...generateEvents({ events: EVENTS + 600, seed: 7, spanDays: 120 })].map((e) => JSON.stringify(e));
  /** The ledger time after each append. */
  const appendTimes: string[] = [];

  const append = async (from: number, to: number) => {
    const ingestion = new IngestionService(store);
    for (let i = from; i < to; i += BATCH) {
      await ingestion.ingest(lines.slice(i, Math.min(i + BATCH, to)).map((input) => ({ input })));
      const [last] = await store.readAll({ after: (await store.head()).position - 1, limit: 1 });
      appendTimes.push(last.recordedAt);
    }
  };

  beforeAll(async () => {
    const opened = place();
    dispose = opened.dispose;
    store = await openEventStore(opened.url);
    readModels = await openReadModelStore(opened.url);
    await append(0, EVENTS);
  });
  afterAll(async () => {
    await readModels?.close();
    await store?.close();
    await dispose?.();
  });

  /** The same views, from the snapshots and from one pass; how many came from a snapshot. */
  async function compare(label: string): Promise<number> {
    const ordered = await store.readBusinessOrder({ limit: 100_000 });
    const asOfs = [undefined, ...[0.05, 0.35, 0.7, 0.99].map((share) => ordered[Math.floor(share * (ordered.length - 1))].occurredKey)];
    const knownAts = [undefined, appendTimes[1], appendTimes[Math.floor(appendTimes.length / 2)], appendTimes[appendTimes.length - 1]];
    let fromSnapshots = 0;
    const snapshot = readModels.snapshot.bind(readModels);
    readModels.snapshot = async (...args) => {
      fromSnapshots += 1;
      return snapshot(...args);
    };
    try {
      for (const asOf of asOfs) {
        for (const knownAt of knownAts) {
          const situation = `${label}: as of ${asOf ?? 'all time'}, known at ${knownAt ?? 'the head'}`;
          const fast = reports(await computeView(store, { asOf, knownAt }, readModels));
          const slow = reports(await computeView(store, { asOf, knownAt }));
          expect({ situation, reports: fast }).toEqual({ situation, reports: slow });
        }
      }
    } finally {
      readModels.snapshot = snapshot;
    }
    return fromSnapshots;
  }

  it('after a rebuild: every view equals one pass from the start, and most start from a snapshot', async () => {
    await new Projector(store, readModels, { snapshotEvery: 250 }).rebuild(['balances', 'round-trips', 'commitments', 'credits', 'flows']);
    const marks = await readModels.snapshotMarks(SNAPSHOT_FORMAT);
    expect(marks.length).toBe(Math.floor(EVENTS / 250));
    expect(await compare('rebuilt')).toBeGreaterThan(10);
  });

  it('after more facts, some of them late: still equal (the snapshots they fall before are passed over)', async () => {
    await append(EVENTS, lines.length);
    expect(await compare('appended after the rebuild')).toBeGreaterThan(0);
  });
});

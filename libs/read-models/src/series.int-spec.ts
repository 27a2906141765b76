/**
 * Series (TRACING.md 1.1) on a real SQLite store: ledgers of the benchmark's generator (late
 * facts and reversals) appended in batches and rebuilt with snapshots; every point of a series,
 * known at the head or at a ledger time between appends, equals the view as of its period's end
 * computed by one pass from the start, whether the series started from a snapshot or from the
 * first fact; and the points run from the period of the view's first fact to its last's.
 */
import type { EventStore } from '@capflow/event-store';
import { openEventStore } from '@capflow/event-store';
import { IngestionService } from '@capflow/ingestion';
import { nextPeriod, periodOfKey, SeriesPeriod, SeriesPoint } from '@capflow/projections';
import type { LedgerView } from '@capflow/projections';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents } from '../../../test/bench/import/generate-events';
import { openReadModelStore } from './open-read-model-store';
import { Projector } from './projector';
import type { ReadModelStore } from './read-model.store';
import { computeSeries, computeView } from './view-snapshots';

jest.setTimeout(180_000);

const reportsAt = (view: LedgerView, asOf: string) => ({
  balances: view.balancesReport(asOf),
  fifo: view.roundTripsReport('fifo', asOf),
  pro_rata: view.roundTripsReport('pro_rata', asOf),
});

describe.each([11, 12, 13])('series on SQLite, generator seed %i', (seed) => {
  let dir: string;
  let store: EventStore;
  let readModels: ReadModelStore;
  const appendTimes: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capflow-series-'));
    const url = `sqlite:${join(dir, 'capflow.db')}`;
    store = await openEventStore(url);
    readModels = await openReadModelStore(url);
    const lines = [...generateEvents({ events: 1500, seed, spanDays: 400 })].map((e) => JSON.stringify(e));
    const ingestion = new IngestionService(store);
    for (let i = 0; i < lines.length; i += 300) {
      await ingestion.ingest(lines.slice(i, i + 300).map((input) => ({ input })));
      appendTimes.push((await store.readAll({ after: (await store.head()).position - 1, limit: 1 }))[0].recordedAt);
    }
    await new Projector(store, readModels, { snapshotEvery: 200 }).rebuild(['balances', 'round-trips', 'commitments', 'credits', 'flows']);
  });
  afterAll(async () => {
    await readModels?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: [SeriesPeriod, string | null, string | null, number | null][] = [
    ['month', null, null, null],
    ['quarter', null, null, 1],
    ['month', 'late', null, null],
    ['month', 'late', 'later', 2],
    ['year', 'late', null, null],
  ];

  it.each(cases)('by %s, from %s to %s, known at append %s: every point is the view as of its end', async (period, fromAt, toAt, append) => {
    const ordered = await store.readBusinessOrder({ limit: 100_000 });
    const keyAt = (share: number) => ordered[Math.floor(share * (ordered.length - 1))].occurredKey;
    const from = fromAt === null ? null : periodOfKey(keyAt(0.4), period);
    const to = toAt === null ? null : periodOfKey(keyAt(0.8), period);
    const knownAt = append === null ? undefined : appendTimes[append];
    const points: { point: SeriesPoint; reports: ReturnType<typeof reportsAt> }[] = [];
    let restored = 0;
    const snapshot = readModels.snapshot.bind(readModels);
    readModels.snapshot = async (...args) => {
      restored += 1;
      return snapshot(...args);
    };
    try {
      await computeSeries(store, { knownAt, period, from, to }, (view, point) => points.push({ point, reports: reportsAt(view, point.asOf) }), readModels);
    } finally {
      readModels.snapshot = snapshot;
    }
    // a series that names its first period starts from a snapshot before it
    if (from !== null && append === null) expect(restored).toBe(1);

    expect(points.length).toBeGreaterThan(1);
    for (const { point, reports } of points) {
      const slow = reportsAt(await computeView(store, { asOf: point.key, knownAt }), point.asOf);
      expect({ asOf: point.asOf, reports }).toEqual({ asOf: point.asOf, reports: slow });
    }
    // consecutive periods, from `from` (else the first fact's) to `to` (else the last fact's)
    const labels = points.map(({ point }) => periodOfKey(point.key, period));
    labels.slice(1).forEach((label, i) => expect(label).toBe(nextPeriod(labels[i], period)));
    if (from !== null) expect(labels[0]).toBe(from);
    if (to !== null) expect(labels[labels.length - 1]).toBe(to);
    const all = reportsAt(await computeView(store, { knownAt }), points[points.length - 1].point.asOf);
    if (to === null) expect(points[points.length - 1].reports).toEqual(all);
    if (from === null) expect(points[0].reports.balances.parties.length).toBeGreaterThan(0);
  });
});

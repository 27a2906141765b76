import { eventKey } from '@capflow/contracts';
import type { BusinessCursor, EventStore } from '@capflow/event-store';
import {
  chooseSnapshot,
  Disturbance,
  LedgerView,
  pointOf,
  SeriesCursor,
  SeriesPeriod,
  SeriesPoint,
  SNAPSHOT_FORMAT,
  snapshotOf,
  ValidityTracker,
  ViewEvent,
  ViewFrame,
  viewFrameOf,
  viewOfSnapshot,
} from '@capflow/projections';
import type { FrameEvent, ReadModelStore } from './read-model.store';
import { forEachInBusinessOrder, frameOf, frameWithReversals, ViewRequest } from './store-views';
import { viewEventOf } from './view-event-of';

/**
 * Snapshots are taken every this many events of business order. Measured at 1,000,000 facts of
 * generator v2: a snapshot of the whole ledger is ~38 MB and restores in ~250 ms, and a view
 * then applies the facts after it at ~30,000 a second; 25,000 keeps both halves of an as-of
 * query near each other, at 40 snapshots for the ledger.
 */
export const SNAPSHOT_EVERY = 25_000;

/**
 * Computes a view from the log: from the newest snapshot that holds what the view holds (when
 * read models are given and no investment is traced), then a pass in business order over the
 * facts after it; else one pass over everything the view selects.
 */
export async function computeView(store: EventStore, request: ViewRequest, readModels?: ReadModelStore): Promise<LedgerView> {
  const start = await startOfView(store, request, readModels);
  await forEachInBusinessOrder(store, start.frame, { asOf: request.asOf, toPosition: start.toPosition, after: start.after }, (event) =>
    start.view.apply(event),
  );
  return start.view;
}

/**
 * A series (TRACING.md 1.1): the view at the end of each period, in one pass in business order
 * from the newest snapshot before the first point (or from the start, when the series begins
 * with the first fact). `take` reads each point's report off the view as it then stands.
 */
export async function computeSeries(
  store: EventStore,
  request: { knownAt?: string; period: SeriesPeriod; from: string | null; to: string | null },
  take: (view: LedgerView, point: SeriesPoint) => void,
  readModels?: ReadModelStore,
): Promise<void> {
  const last = request.to === null ? undefined : pointOf(request.to, request.period).key;
  const first = request.from === null ? undefined : pointOf(request.from, request.period).key;
  // without `from` the series starts with the first fact, which only a pass from the start sees
  const start = await startOfView(store, { knownAt: request.knownAt, asOf: first }, first === undefined ? undefined : readModels);
  const cursor = new SeriesCursor(request.period, request.from, request.to, (point) => take(start.view, point));
  let seen = false;
  await forEachInBusinessOrder(store, start.frame, { asOf: last, toPosition: start.toPosition, after: start.after }, (event) => {
    seen = true;
    cursor.see(event.occurredKey);
    start.view.apply(event);
  });
  // no fact after the snapshot and no `to`: the series ends with the view's latest fact, which
  // the snapshot does not say; rare (a series from after every fact), so a pass from the start
  if (!seen && start.after !== undefined && request.to === null) return computeSeries(store, request, take);
  cursor.finish();
}

/**
 * Where a view's pass starts: the newest snapshot that holds what the view holds (when read
 * models are given and no investment is traced), else an empty view and the whole log.
 */
async function startOfView(
  store: EventStore,
  request: ViewRequest,
  readModels?: ReadModelStore,
): Promise<{ view: LedgerView; frame: ViewFrame; after?: BusinessCursor; toPosition?: number }> {
  const toPosition = request.knownAt === undefined ? undefined : await store.positionKnownAt(request.knownAt);
  if (readModels && request.traceInvestment === undefined) {
    const start = await fromSnapshot(store, readModels, request.asOf, toPosition);
    if (start) return { ...start, toPosition };
  }
  const frame = await frameOf(store, toPosition);
  return { view: new LedgerView(frame.groups, { traceInvestment: request.traceInvestment }), frame, toPosition };
}

/**
 * One pass in business order over the log up to `head`, the view of every report at its end,
 * storing a snapshot every `every` events, and the registrations and reversals the pass knew (the
 * old snapshots are dropped first: each one is valid on its own, so a pass cut short leaves fewer,
 * never a wrong one).
 */
export async function passWithSnapshots(
  store: EventStore,
  readModels: ReadModelStore,
  head: number,
  onProgress?: (events: number) => void,
  every = SNAPSHOT_EVERY,
): Promise<LedgerView> {
  const { frame, events, reversals } = await frameWithReversals(store, head);
  const view = new LedgerView(frame.groups);
  const validity = new ValidityTracker(reversals);
  await readModels.clearSnapshots();
  await readModels.addSnapshotFrame(SNAPSHOT_FORMAT, head, events.map(frameEventOf));
  let seen = 0;
  await forEachInBusinessOrder(
    store,
    frame,
    { toPosition: head },
    (event) => view.apply(event),
    onProgress,
    async (event) => {
      validity.see(event);
      seen += 1;
      if (seen % every !== 0) return;
      const mark = { checkpoint: { key: event.occurredKey, position: event.position }, builtAt: head, validFrom: validity.validFrom };
      await readModels.addSnapshot(SNAPSHOT_FORMAT, mark, snapshotOf(view));
    },
  );
  return view;
}

/** What was recorded after a pass that took snapshots, up to the position a view knows. */
interface RecordedSince {
  disturbance: Disturbance;
  /** The registrations and reversals among it. */
  frameEvents: ViewEvent[];
}

/**
 * The view a query as of `asOf`, known at `toPosition` (none: the head), starts from, its frame,
 * and the cursor the rest of its pass starts after; null when no stored snapshot holds what it
 * holds. The frame comes from the pass's stored one and what was recorded since: no scan of the log.
 */
async function fromSnapshot(
  store: EventStore,
  readModels: ReadModelStore,
  asOf: string | undefined,
  toPosition: number | undefined,
): Promise<{ view: LedgerView; frame: ViewFrame; after: BusinessCursor } | null> {
  const marks = await readModels.snapshotMarks(SNAPSHOT_FORMAT);
  if (marks.length === 0) return null;
  const knownAt = toPosition ?? (await store.head()).position;
  const since = new Map<number, RecordedSince>();
  for (const builtAt of new Set(marks.map((m) => m.builtAt))) {
    since.set(
      builtAt,
      builtAt < knownAt ? await recordedSince(store, builtAt, knownAt) : { disturbance: new Disturbance(), frameEvents: [] },
    );
  }
  const chosen = chooseSnapshot(marks, { asOf, knownAt }, (builtAt) => since.get(builtAt)!.disturbance.cursor);
  if (!chosen) return null;
  const stored = await readModels.snapshotFrame(SNAPSHOT_FORMAT, chosen.builtAt);
  const bytes = await readModels.snapshot(SNAPSHOT_FORMAT, chosen);
  if (!stored || !bytes) return null; // replaced by a replay meanwhile: a pass from the start is still right
  const storedEvents = JSON.parse(stored.text) as FrameEvent[];
  const frame = viewFrameOf([...storedEvents.map(frameViewEventOf), ...since.get(chosen.builtAt)!.frameEvents], knownAt);
  return {
    view: viewOfSnapshot(bytes.body, frame.groups),
    frame,
    after: { occurredKey: chosen.checkpoint.key, position: chosen.checkpoint.position },
  };
}

/** The facts recorded in (builtAt, knownAt]: the earliest cursor they touch, and their registrations and reversals. */
async function recordedSince(store: EventStore, builtAt: number, knownAt: number): Promise<RecordedSince> {
  const disturbance = new Disturbance();
  const frameEvents: ViewEvent[] = [];
  let after = builtAt;
  while (after < knownAt) {
    const page = (await store.readAll({ after, limit: Math.min(5000, knownAt - after) })).filter((e) => e.position <= knownAt);
    if (page.length === 0) break;
    const ids = page.flatMap((e) => (e.type === 'EventReversed' ? [(e.data as { reversedEventId: string }).reversedEventId] : []));
    const targets = new Map<string, ViewEvent>();
    if (ids.length > 0) for (const target of await store.findEvents(ids)) targets.set(eventKey(target.eventId), viewEventOf(target));
    for (const stored of page) {
      const viewEvent = viewEventOf(stored);
      const target =
        stored.type === 'EventReversed' ? targets.get(eventKey((stored.data as { reversedEventId: string }).reversedEventId)) : undefined;
      disturbance.see(viewEvent, target);
      if (stored.type === 'PartyRegistered' || stored.type === 'EventReversed') frameEvents.push(viewEvent);
    }
    after = page[page.length - 1].position;
  }
  return { disturbance, frameEvents };
}

export function frameEventOf({ event, position }: ViewEvent): FrameEvent {
  if (event.type === 'PartyRegistered') return [position, 'PartyRegistered', event.data.partyId, event.data.parentId ?? null];
  if (event.type === 'EventReversed') return [position, 'EventReversed', event.data.reversedEventId, null];
  throw new Error(`a frame holds registrations and reversals, not ${event.type}`);
}

/** As much of a ViewEvent as viewFrameOf reads. */
function frameViewEventOf([position, type, id, parentId]: FrameEvent): ViewEvent {
  const data = type === 'PartyRegistered' ? { partyId: id, parentId: parentId ?? undefined } : { reversedEventId: id };
  return { position, occurredKey: '', recordedAt: '', event: { type, data } } as unknown as ViewEvent;
}

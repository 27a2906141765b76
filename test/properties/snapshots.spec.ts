import { eventKey } from '@capflow/contracts';
import {
  appliesTo,
  businessOrder,
  chooseSnapshot,
  computeLedgerView,
  Disturbance,
  isBefore,
  LedgerView,
  SnapshotMark,
  snapshotOf,
  ValidityTracker,
  ViewEvent,
  viewFrameOf,
  viewOfSnapshot,
} from '@capflow/projections';
import fc from 'fast-check';
import { byEventKey, expectSameReports, reversalTargetOf, runs, scenarios } from '../support/scenarios';

const RUNS = 60;
const SIZE = { min: 150, max: 350 };

const frameAt = (events: readonly ViewEvent[], position: number) =>
  viewFrameOf(
    events.filter((e) => e.event.type === 'PartyRegistered' || e.event.type === 'EventReversed'),
    position,
  );

/** The projector's pass at log position `builtAt`: a snapshot every `every` events of business order. */
function takeSnapshots(events: readonly ViewEvent[], builtAt: number, every: number): (SnapshotMark & { bytes: Buffer })[] {
  const known = events.filter((e) => e.position <= builtAt);
  const frame = frameAt(events, builtAt);
  const reversals = new Map<string, number>();
  for (const e of known) if (e.event.type === 'EventReversed') reversals.set(eventKey(e.event.data.reversedEventId), e.position);
  const validity = new ValidityTracker(reversals);
  const view = new LedgerView(frame.groups);
  const snapshots: (SnapshotMark & { bytes: Buffer })[] = [];
  const ordered = [...known].sort(businessOrder);
  ordered.forEach((e, index) => {
    validity.see(e);
    if (appliesTo(e, frame, {})) view.apply(e);
    if ((index + 1) % every === 0) {
      snapshots.push({
        checkpoint: { key: e.occurredKey, position: e.position },
        builtAt,
        validFrom: validity.validFrom,
        bytes: snapshotOf(view),
      });
    }
  });
  return snapshots;
}

/** A view as of `asOf`, known at `knownAt`, from the snapshot the plan chooses, then the facts after it. */
function viewFromSnapshots(
  events: readonly ViewEvent[],
  snapshots: (SnapshotMark & { bytes: Buffer })[],
  asOf: string | undefined,
  knownAt: number,
) {
  const index = byEventKey(events);
  const chosen = chooseSnapshot(snapshots, { asOf, knownAt }, (builtAt) => {
    const disturbance = new Disturbance();
    for (const e of events) if (e.position > builtAt && e.position <= knownAt) disturbance.see(e, reversalTargetOf(e.event, index));
    return disturbance.cursor;
  });
  const frame = frameAt(events, knownAt);
  const view = chosen ? viewOfSnapshot(chosen.bytes, frame.groups) : new LedgerView(frame.groups);
  for (const e of [...events].sort(businessOrder)) {
    if (chosen && !isBefore(chosen.checkpoint, { key: e.occurredKey, position: e.position })) continue;
    if (appliesTo(e, frame, { asOf, knownAtPosition: knownAt })) view.apply(e);
  }
  return { view, chosen };
}

describe('property: a view started from a snapshot equals the view of one pass (EVENTS.md, "Time")', () => {
  it('6. as of any business time, known at any position, before or after the pass that took the snapshots, with late facts and reversals', () => {
    let fromSnapshot = 0;
    let queries = 0;
    fc.assert(
      fc.property(
        scenarios(SIZE),
        fc.nat(),
        fc.integer({ min: 3, max: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 4, maxLength: 4 }),
        (scenario, built, every, picks) => {
          const { events } = scenario;
          // half the passes read the whole log (as a replay does), the others stop anywhere
          const builtAt = built % 2 === 0 ? events.length : built % (events.length + 1);
          const snapshots = takeSnapshots(events, builtAt, every);
          const keys = [...new Set(events.map((e) => e.occurredKey))].sort();
          for (const [asOfPick, knownPick] of picks) {
            const asOf = asOfPick % 5 === 0 ? undefined : keys[asOfPick % keys.length];
            const knownAt = knownPick % 3 === 0 ? events.length : knownPick % (events.length + 1);
            const { view, chosen } = viewFromSnapshots(events, snapshots, asOf, knownAt);
            queries += 1;
            if (chosen) fromSnapshot += 1;
            expectSameReports(
              view,
              computeLedgerView(events, { asOf, knownAtPosition: knownAt }),
              `as of ${asOf ?? 'all time'}, known at ${knownAt}, snapshots built at ${builtAt} (${chosen ? `from ${JSON.stringify(chosen.checkpoint)}` : 'none valid'})`,
            );
          }
        },
      ),
      runs(RUNS),
    );
    // the property compares something: many queries do start from a snapshot
    expect(fromSnapshot).toBeGreaterThan(queries / 4);
  });

  it('a snapshot restores to the same figures, and bytes that are not a whole snapshot are refused', () => {
    fc.assert(
      fc.property(scenarios(SIZE), (scenario) => {
        const view = computeLedgerView(scenario.events);
        const bytes = snapshotOf(view);
        const frame = frameAt(scenario.events, scenario.events.length);
        expectSameReports(viewOfSnapshot(bytes, frame.groups), view, 'restored');
        expect(() => viewOfSnapshot(bytes.subarray(0, bytes.length - 8), frame.groups)).toThrow(/not a snapshot/);
        const table = bytes.readUInt32LE(0);
        const cut = Buffer.from(bytes.subarray(0, bytes.length - 8));
        cut.writeUInt32LE(bytes.readUInt32LE(4) - 8, 4); // lengths that add up, a body that ends early
        expect(() => viewOfSnapshot(cut, frame.groups)).toThrow(table > 0 ? /ends early|bad count|not in its table|left over/ : /./);
        const other = Buffer.from(bytes);
        other.write('capflow-view-0', 10, 'utf8');
        expect(() => viewOfSnapshot(other, frame.groups)).toThrow(/not a snapshot/);
      }),
      runs(20),
    );
  });
});

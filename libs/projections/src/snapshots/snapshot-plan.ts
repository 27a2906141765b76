import { eventKey } from '@capflow/contracts';
import type { ViewEvent } from '../view/view-event';

/**
 * Which snapshot an as-of / known-at view may start from. A snapshot is taken during a pass in
 * business order over the facts at positions ≤ `builtAt` (reversals known then applied): it holds
 * exactly the set S(builtAt) of facts at or before its checkpoint (a cursor in business order:
 * business time, ties by position) that were known and not reversed at builtAt. A view known at
 * position T may start from it iff S(T) = S(builtAt), then apply the facts after the checkpoint.
 *
 * S changes at a position p when the fact at p is at or before the checkpoint, or reverses one that
 * is. So S(T) = S(builtAt) iff no such position lies between T and builtAt:
 * - T < builtAt: `validFrom`, the last position ≤ builtAt where S changed, is ≤ T (recorded with the
 *   snapshot, see ValidityTracker);
 * - T > builtAt: no fact recorded in (builtAt, T] is at or before the checkpoint, nor reverses one
 *   (see Disturbance: the earliest cursor such a fact touches).
 * Party registrations are facts like any other; a fact that names a party is recorded after its
 * registration, so groups known to one side and not the other never touch what a snapshot holds.
 */
export interface Checkpoint {
  /** Business time, as an instant key. */
  key: string;
  position: number;
}

export interface SnapshotMark {
  checkpoint: Checkpoint;
  /** The log position the pass that took it had read to. */
  builtAt: number;
  /** The last position ≤ builtAt at which what it holds changed. */
  validFrom: number;
}

/** a before b in business order (occurredAt, ties by position). */
export function isBefore(a: Checkpoint, b: Checkpoint): boolean {
  return a.key < b.key || (a.key === b.key && a.position < b.position);
}

function atOrBefore(a: Checkpoint, b: Checkpoint): boolean {
  return !isBefore(b, a);
}

/**
 * During a pass in business order, the validFrom of a snapshot taken after the events seen so
 * far. `reversals`: for each event reversed as known to the pass, the position of its reversal.
 */
export class ValidityTracker {
  private last = 0;

  constructor(private readonly reversals: ReadonlyMap<string, number>) {}

  /** Every event of the pass, in business order, applied or not (reversals themselves are ignored). */
  see(viewEvent: ViewEvent): void {
    if (viewEvent.event.type === 'EventReversed') return;
    const reversedAt = this.reversals.get(eventKey(viewEvent.event.eventId)) ?? 0;
    this.last = Math.max(this.last, viewEvent.position, reversedAt);
  }

  get validFrom(): number {
    return this.last;
  }
}

/** The earliest cursor that facts recorded after a snapshot's builtAt touch: their own, or that of the fact a reversal voids. */
export class Disturbance {
  private earliest: Checkpoint | null = null;

  /** A fact recorded after builtAt; `target`: for a reversal, the fact it voids (one not found disturbs everything). */
  see(viewEvent: ViewEvent, target: ViewEvent | undefined): void {
    const touched = viewEvent.event.type === 'EventReversed' ? target : viewEvent;
    const cursor = touched ? { key: touched.occurredKey, position: touched.position } : { key: '', position: 0 };
    if (this.earliest === null || isBefore(cursor, this.earliest)) this.earliest = cursor;
  }

  get cursor(): Checkpoint | null {
    return this.earliest;
  }
}

/**
 * The snapshot a view as of `asOf` (instant key; none: all business time), known at position
 * `knownAt`, starts from: the one with the latest checkpoint at or before asOf that holds what
 * the view holds. `disturbance(builtAt)`: the earliest cursor touched by the facts recorded in
 * (builtAt, knownAt], asked only for snapshots built before knownAt. Null: start from nothing.
 */
export function chooseSnapshot<M extends SnapshotMark>(
  marks: readonly M[],
  view: { asOf?: string; knownAt: number },
  disturbance: (builtAt: number) => Checkpoint | null,
): M | null {
  const disturbed = new Map<number, Checkpoint | null>();
  let best: M | null = null;
  for (const mark of marks) {
    if (view.asOf !== undefined && mark.checkpoint.key > view.asOf) continue;
    if (best && !isBefore(best.checkpoint, mark.checkpoint)) continue;
    if (mark.validFrom > view.knownAt) continue;
    if (mark.builtAt < view.knownAt) {
      if (!disturbed.has(mark.builtAt)) disturbed.set(mark.builtAt, disturbance(mark.builtAt));
      const earliest = disturbed.get(mark.builtAt)!;
      if (earliest !== null && atOrBefore(earliest, mark.checkpoint)) continue;
    }
    best = mark;
  }
  return best;
}

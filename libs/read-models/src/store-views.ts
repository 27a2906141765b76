import type { BusinessCursor, EventStore, StoredEvent } from '@capflow/event-store';
import { eventKey } from '@capflow/contracts';
import { appliesTo, ViewEvent, ViewFrame, viewFrameOf } from '@capflow/projections';
import { viewEventOf } from './view-event-of';

const PAGE = 5000;

/** A view: business time up to `asOf` (an instant key), as known at `knownAt` (ledger time, ISO). */
export interface ViewRequest {
  asOf?: string;
  knownAt?: string;
  traceInvestment?: string;
}

/** The registrations and reversals known up to a position, read from the store. */
export async function frameOf(store: EventStore, toPosition?: number): Promise<ViewFrame> {
  return (await frameWithReversals(store, toPosition)).frame;
}

/**
 * The frame, the registrations and reversals it was made of, and where each reversed event's
 * reversal is (its position): what snapshots need.
 */
export async function frameWithReversals(
  store: EventStore,
  toPosition?: number,
): Promise<{ frame: ViewFrame; events: ViewEvent[]; reversals: Map<string, number> }> {
  const events: ViewEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await store.queryEvents({ types: ['PartyRegistered', 'EventReversed'], toPosition }, { after, limit: PAGE });
    if (page.length === 0) break;
    events.push(...page.map(viewEventOf));
    after = page[page.length - 1].position;
  }
  const reversals = new Map<string, number>();
  for (const { event, position } of events) if (event.type === 'EventReversed') reversals.set(eventKey(event.data.reversedEventId), position);
  return { frame: viewFrameOf(events, toPosition), events, reversals };
}

/**
 * Every event of a selection, in business order, streamed from the store a page at a time:
 * `each` sees them one by one (reversed facts and reversals left out). Returns the last event read,
 * reversed or not: the latest business time of the selection.
 */
export async function forEachInBusinessOrder(
  store: EventStore,
  frame: ViewFrame,
  selection: { asOf?: string; toPosition?: number; after?: BusinessCursor },
  each: (event: ViewEvent) => void,
  onProgress?: (events: number) => void,
  everyEvent?: (event: ViewEvent) => void | Promise<void>,
): Promise<StoredEvent | null> {
  let after: BusinessCursor | undefined = selection.after;
  let last: StoredEvent | null = null;
  let seen = 0;
  for (;;) {
    const page = await store.readBusinessOrder({ after, asOf: selection.asOf, toPosition: selection.toPosition, limit: PAGE });
    if (page.length === 0) return last;
    for (const stored of page) {
      const viewEvent = viewEventOf(stored);
      if (appliesTo(viewEvent, frame, {})) each(viewEvent);
      if (everyEvent) await everyEvent(viewEvent);
    }
    seen += page.length;
    onProgress?.(seen);
    await turn();
    last = page[page.length - 1];
    after = { occurredKey: last.occurredKey, position: last.position };
  }
}

/**
 * Lets the event loop run between pages: with SQLite's synchronous driver every await on the
 * store resolves at once, so a long pass would otherwise hold a server's requests until its end.
 */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

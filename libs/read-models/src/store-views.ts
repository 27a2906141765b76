import type { BusinessCursor, EventStore, StoredEvent } from '@capflow/event-store';
import { appliesTo, LedgerView, ViewEvent, ViewFrame, viewFrameOf } from '@capflow/projections';
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
  const events: ViewEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await store.queryEvents({ types: ['PartyRegistered', 'EventReversed'], toPosition }, { after, limit: PAGE });
    if (page.length === 0) break;
    events.push(...page.map(viewEventOf));
    after = page[page.length - 1].position;
  }
  return viewFrameOf(events, toPosition);
}

/**
 * Every event of a selection, in business order, streamed from the store a page at a time:
 * `each` sees them one by one (reversed facts and reversals left out). Returns the last event read,
 * reversed or not: the latest business time of the selection.
 */
export async function forEachInBusinessOrder(
  store: EventStore,
  frame: ViewFrame,
  selection: { asOf?: string; toPosition?: number },
  each: (event: ViewEvent) => void,
  onProgress?: (events: number) => void,
): Promise<StoredEvent | null> {
  let after: BusinessCursor | undefined;
  let last: StoredEvent | null = null;
  let seen = 0;
  for (;;) {
    const page = await store.readBusinessOrder({ after, asOf: selection.asOf, toPosition: selection.toPosition, limit: PAGE });
    if (page.length === 0) return last;
    for (const stored of page) {
      const viewEvent = viewEventOf(stored);
      if (appliesTo(viewEvent, frame, {})) each(viewEvent);
    }
    seen += page.length;
    onProgress?.(seen);
    last = page[page.length - 1];
    after = { occurredKey: last.occurredKey, position: last.position };
  }
}

/** Computes a view from the log: one pass in business order over what it selects. */
export async function computeView(store: EventStore, request: ViewRequest): Promise<LedgerView> {
  const toPosition = request.knownAt === undefined ? undefined : await store.positionKnownAt(request.knownAt);
  const frame = await frameOf(store, toPosition);
  const view = new LedgerView(frame.groups, { traceInvestment: request.traceInvestment });
  await forEachInBusinessOrder(store, frame, { asOf: request.asOf, toPosition }, (event) => view.apply(event));
  return view;
}

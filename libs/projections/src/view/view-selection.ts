import { eventKey } from '@capflow/contracts';
import { LedgerView } from './ledger-view';
import { businessOrder, ViewEvent } from './view-event';

/** Which facts a view holds: business time up to `asOf`, as known up to `knownAtPosition`. */
export interface ViewSelection {
  /** Instant key: events with occurredAt ≤ asOf. None: all business time. */
  asOf?: string;
  /** Events at positions ≤ this (ledger time, as a position). None: all known. */
  knownAtPosition?: number;
}

/** What a view needs before it applies anything: every party's group, and which events are voided. */
export interface ViewFrame {
  groups: Map<string, string>;
  /** Event keys of reversed events: left out of the view from the start. */
  reversed: Set<string>;
}

/**
 * From the registrations and reversals known to the view (any business time, position order):
 * registrations are permanent, so a party's group is known whenever it is used; a reversal
 * voids its target in every business time once it is known.
 */
export function viewFrameOf(registrationsAndReversals: Iterable<ViewEvent>, knownAtPosition = Number.POSITIVE_INFINITY): ViewFrame {
  const groups = new Map<string, string>();
  const reversed = new Set<string>();
  const ordered = [...registrationsAndReversals].filter((e) => e.position <= knownAtPosition).sort((a, b) => a.position - b.position);
  for (const { event } of ordered) {
    if (event.type === 'PartyRegistered') {
      const { partyId, parentId } = event.data;
      groups.set(partyId, parentId === undefined ? partyId : (groups.get(parentId) ?? parentId));
    } else if (event.type === 'EventReversed') {
      reversed.add(eventKey(event.data.reversedEventId));
    }
  }
  return { groups, reversed };
}

/** Whether a known event is applied in a view: inside its business time, not a reversal, not reversed. */
export function appliesTo(viewEvent: ViewEvent, frame: ViewFrame, selection: ViewSelection): boolean {
  if (selection.knownAtPosition !== undefined && viewEvent.position > selection.knownAtPosition) return false;
  if (selection.asOf !== undefined && viewEvent.occurredKey > selection.asOf) return false;
  if (viewEvent.event.type === 'EventReversed') return false;
  return !frame.reversed.has(eventKey(viewEvent.event.eventId));
}

/** A view of events held in memory (tests, small logs): sorts them into business order itself. */
export function computeLedgerView(events: readonly ViewEvent[], selection: ViewSelection = {}, options: { traceInvestment?: string } = {}): LedgerView {
  const frame = viewFrameOf(
    events.filter((e) => e.event.type === 'PartyRegistered' || e.event.type === 'EventReversed'),
    selection.knownAtPosition,
  );
  const view = new LedgerView(frame.groups, options);
  for (const viewEvent of [...events].sort(businessOrder)) {
    if (appliesTo(viewEvent, frame, selection)) view.apply(viewEvent);
  }
  return view;
}

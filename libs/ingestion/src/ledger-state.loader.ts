import { CapflowEvent, eventKey } from '@capflow/contracts';
import type { StoredEvent } from '@capflow/event-store';
import { evolve, LedgerState } from '@capflow/ledger';

/** A stored event as the contract's typed event (it was validated when it was accepted). */
export function capflowEventOf(stored: StoredEvent): CapflowEvent {
  return {
    eventId: stored.eventId,
    type: stored.type,
    schemaVersion: 1,
    occurredAt: stored.occurredAt,
    source: stored.source,
    data: stored.data,
  } as unknown as CapflowEvent;
}

/**
 * Applies stored events, in position order, to the decision state. A reversal needs its target:
 * looked up among the events given, then through `findEvents` (the store).
 */
export async function applyStoredEvents(
  state: LedgerState,
  events: readonly StoredEvent[],
  findEvents: (eventIds: string[]) => Promise<StoredEvent[]>,
): Promise<void> {
  const byKey = new Map<string, StoredEvent>();
  const missing: string[] = [];
  for (const event of events) {
    byKey.set(event.eventId, event);
    if (event.type === 'EventReversed') {
      const target = eventKey((event.data as { reversedEventId: string }).reversedEventId);
      if (!byKey.has(target)) missing.push(target);
    }
  }
  if (missing.length > 0) for (const target of await findEvents(missing)) byKey.set(target.eventId, target);
  for (const event of events) {
    const typed = capflowEventOf(event);
    if (typed.type === 'EventReversed') {
      const target = byKey.get(eventKey(typed.data.reversedEventId));
      if (!target) throw new Error(`the target of reversal ${event.eventId} is not in the store`);
      evolve(state, typed, capflowEventOf(target));
    } else {
      evolve(state, typed);
    }
  }
}

import { CapflowEvent, eventKey } from '@capflow/contracts';
import type { EventStore, StoredEvent } from '@capflow/event-store';
import type { ViewEvent } from '@capflow/projections';

/** A stored event as views read it (it was validated when it was accepted). */
export function viewEventOf(stored: StoredEvent): ViewEvent {
  return {
    event: {
      eventId: stored.eventId,
      type: stored.type,
      schemaVersion: 1,
      occurredAt: stored.occurredAt,
      source: stored.source,
      data: stored.data,
    } as unknown as CapflowEvent,
    position: stored.position,
    occurredKey: stored.occurredKey,
    recordedAt: stored.recordedAt,
  };
}

/** The events a page's reversals reverse, by event key, read from the store in one query. */
export async function reversalTargets(store: EventStore, events: readonly StoredEvent[]): Promise<Map<string, ViewEvent>> {
  const ids = events.flatMap((e) => (e.type === 'EventReversed' ? [(e.data as { reversedEventId: string }).reversedEventId] : []));
  const targets = new Map<string, ViewEvent>();
  if (ids.length > 0) for (const target of await store.findEvents(ids)) targets.set(eventKey(target.eventId), viewEventOf(target));
  return targets;
}

/** An EventReversed's target among `targets` (see reversalTargets); undefined for any other event. */
export function reversalTargetOf(stored: StoredEvent, targets: ReadonlyMap<string, ViewEvent>): ViewEvent | undefined {
  return stored.type === 'EventReversed' ? targets.get(eventKey((stored.data as { reversedEventId: string }).reversedEventId)) : undefined;
}

import type { CapflowEvent } from '@capflow/contracts';
import type { StoredEvent } from '@capflow/event-store';
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

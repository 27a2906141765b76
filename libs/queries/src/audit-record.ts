import type { StoredEvent } from '@capflow/event-store';

/** What an auditor needs to trace a fact: where it is, when it happened and was recorded, its source and provenance. */
export function auditRecordOf(event: StoredEvent) {
  return {
    position: event.position,
    eventId: event.eventId,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    type: event.type,
    occurredAt: event.occurredAt,
    recordedAt: event.recordedAt,
    source: event.source,
    data: event.data,
    metadata: event.metadata,
    hash: event.hash,
  };
}

export type AuditRecord = ReturnType<typeof auditRecordOf>;

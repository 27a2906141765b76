import { EventStoreError, EventStoreErrorCode } from './event-store.errors';
import type { ChainRecord, StoredEvent } from './event-store.port';

/** A stored row → the event readers get; a row whose JSON no longer parses is corrupt. */
export function storedEventOf(record: ChainRecord): StoredEvent {
  if (record.malformed !== undefined)
    throw new EventStoreError(EventStoreErrorCode.CorruptEvent, `the event at position ${record.position} is not as stored by capflow (${record.malformed}): run verify`, {
      position: record.position,
    });
  let data: Record<string, unknown>;
  let metadata: Record<string, unknown> | null;
  try {
    data = JSON.parse(record.dataText) as Record<string, unknown>;
    metadata = record.metadataText === null ? null : (JSON.parse(record.metadataText) as Record<string, unknown>);
  } catch {
    throw new EventStoreError(EventStoreErrorCode.CorruptEvent, `the event at position ${record.position} is not readable JSON: run verify`, {
      position: record.position,
    });
  }
  return {
    position: record.position,
    eventId: record.eventId,
    streamId: record.streamId,
    streamVersion: record.streamVersion,
    type: record.type,
    schemaVersion: record.schemaVersion,
    occurredAt: record.occurredAt,
    occurredKey: record.occurredKey,
    recordedAt: record.recordedAt,
    source: record.source,
    data,
    metadata,
    hash: record.hash,
  };
}

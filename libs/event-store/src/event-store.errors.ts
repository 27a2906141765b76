/** Stable codes of the event store's failures. */
export enum EventStoreErrorCode {
  WrongExpectedVersion = 'wrong_expected_version',
  EventIdConflict = 'event_id_conflict',
  InvalidStoreUrl = 'invalid_store_url',
  StoreUnavailable = 'store_unavailable',
  UnsupportedSchema = 'unsupported_schema',
  CorruptEvent = 'corrupt_event',
  InvalidEvent = 'invalid_event',
}

export class EventStoreError extends Error {
  constructor(
    readonly code: EventStoreErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'EventStoreError';
  }
}

export function isEventStoreError(error: unknown, code?: EventStoreErrorCode): error is EventStoreError {
  return error instanceof EventStoreError && (code === undefined || error.code === code);
}

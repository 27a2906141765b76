/** Injection tokens of the ingest process's ports. */
export const EVENT_STORE = Symbol('EventStore');
export const RECORD_PUBLISHER = Symbol('RecordPublisher');
export const EVENT_PARSER = Symbol('EventParser');

export * from './event-store.port';
export { EventStoreError, EventStoreErrorCode, isEventStoreError } from './event-store.errors';
export { DEFAULT_STORE_URL, openEventStore, parseStoreUrl } from './open-event-store';
export type { OpenEventStoreOptions, StoreLocation } from './open-event-store';
export { verifyChain } from './verify-chain';
export type { ChainProblem, VerifyReport } from './verify-chain';
export { GENESIS_HASH } from './hash-chain';
export { parsePostgresUrl, redact } from './postgres/postgres-url';

// Test support of the event store, public to other libs' and apps' tests (never to production code):
// the contract suite, and harnesses giving a fresh SQLite file or PostgreSQL schema per test.
export { describeEventStoreContract, newEvent } from './event-store.contract';
export { postgresHarness, TEST_POSTGRES_URL } from './postgres-harness';
export { sqliteHarness } from './sqlite-harness';
export type { StoreHarness } from './store-harness';

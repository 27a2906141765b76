// Test support of the event store, public to other libs' and apps' tests (never to production code):
// the contract suite, and harnesses giving a fresh SQLite file, PostgreSQL schema or EventStoreDB
// namespace per test (and an in-memory EventStoreDB).
export { describeEventStoreContract, newEvent } from './event-store.contract';
export type { ContractOptions } from './event-store.contract';
export { ESDB_CANNOT, esdbMemoryHarness, esdbServerHarness, TEST_ESDB_URL } from './esdb-harness';
export { InMemoryEsdb } from './esdb-memory';
export { postgresHarness, TEST_POSTGRES_URL } from './postgres-harness';
export { sqliteHarness } from './sqlite-harness';
export type { StoreHarness } from './store-harness';

// The whole store contract on the EventStoreDB adapter, over an in-memory EventStoreDB (no server,
// no I/O): the adapter's logic — lock, dedup index, links, positions, sessions, subscription — is
// checked here on every run; esdb-event-store.int-spec.ts runs the same contract against a real server.
import { describeEventStoreContract } from '../testing/event-store.contract';
import { esdbMemoryHarness } from '../testing/esdb-harness';

describeEventStoreContract('EventStoreDB adapter over an in-memory EventStoreDB', esdbMemoryHarness);

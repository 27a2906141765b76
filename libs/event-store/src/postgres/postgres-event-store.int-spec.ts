import { describeEventStoreContract } from '../testing/event-store.contract';
import { postgresHarness } from '../testing/postgres-harness';

describeEventStoreContract('PostgreSQL', postgresHarness);

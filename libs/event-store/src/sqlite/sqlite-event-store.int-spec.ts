import { describeEventStoreContract } from '../testing/event-store.contract';
import { sqliteHarness } from '../testing/sqlite-harness';

describeEventStoreContract('SQLite', sqliteHarness);

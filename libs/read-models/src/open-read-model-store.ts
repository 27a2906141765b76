import { EventStoreError, EventStoreErrorCode, parseStoreUrl } from '@capflow/event-store';
import type { ReadModelStore } from './read-model.store';

/** The read models of the store a URL names: same database, tables of their own. */
export async function openReadModelStore(url: string): Promise<ReadModelStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite': {
      const { SqliteReadModelStore } = await import('./sqlite/sqlite-read-model.store');
      return SqliteReadModelStore.open(location.path);
    }
    case 'postgres': {
      const { PostgresReadModelStore } = await import('./postgres/postgres-read-model.store');
      return PostgresReadModelStore.open(location.url);
    }
    case 'esdb':
      throw new EventStoreError(EventStoreErrorCode.StoreUnavailable, 'read models beside EventStoreDB arrive with its adapter');
  }
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EventStoreError, EventStoreErrorCode, parseStoreUrl } from '@capflow/event-store';
import type { ReadModelStore } from './read-model.store';

/**
 * The read models of the store a URL names: in the same database as the log for SQLite and
 * PostgreSQL (tables of their own); beside EventStoreDB, which holds only the log, in the
 * SQLite file or PostgreSQL database its URL's `readModels=` parameter names
 * (default sqlite:./data/capflow-read-models.db).
 */
export async function openReadModelStore(url: string): Promise<ReadModelStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite': {
      const { SqliteReadModelStore } = await import('./sqlite/sqlite-read-model.store');
      mkdirSync(dirname(location.path), { recursive: true });
      return SqliteReadModelStore.open(location.path);
    }
    case 'postgres': {
      const { PostgresReadModelStore } = await import('./postgres/postgres-read-model.store');
      try {
        return await PostgresReadModelStore.open(location.url);
      } catch (error) {
        if (error instanceof EventStoreError) throw error;
        throw new EventStoreError(
          EventStoreErrorCode.StoreUnavailable,
          `cannot open the read models in PostgreSQL: ${(error as Error)?.message || String(error)}`,
        );
      }
    }
    case 'esdb': {
      const beside = parseStoreUrl(location.readModels);
      if (beside.kind === 'esdb') {
        throw new EventStoreError(EventStoreErrorCode.InvalidStoreUrl, 'readModels= must name SQLite or PostgreSQL: EventStoreDB holds only the log');
      }
      return openReadModelStore(location.readModels);
    }
  }
}

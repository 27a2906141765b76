import { resolve } from 'node:path';
import { EventStoreError, EventStoreErrorCode } from './event-store.errors';
import type { EventStore } from './event-store.port';

export const DEFAULT_STORE_URL = 'sqlite:./data/capflow.db';

export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string } | { kind: 'esdb'; url: string };

/** `sqlite:PATH`, `postgres://…` / `postgresql://…`, `esdb://…`. */
export function parseStoreUrl(url: string): StoreLocation {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new EventStoreError(EventStoreErrorCode.InvalidStoreUrl, 'sqlite: needs a path, e.g. sqlite:./data/capflow.db');
    return { kind: 'sqlite', path: resolve(path) };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { kind: 'postgres', url };
  if (url.startsWith('esdb://') || url.startsWith('esdb+discover://') || url.startsWith('kurrentdb://')) return { kind: 'esdb', url };
  throw new EventStoreError(
    EventStoreErrorCode.InvalidStoreUrl,
    `unknown store URL ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}: use sqlite:PATH, postgres://… or esdb://…`,
  );
}

export interface OpenEventStoreOptions {
  clock?: () => Date;
}

/** Opens (and migrates) the store a URL names. Adapters load lazily: a SQLite user never loads pg. */
export async function openEventStore(url: string, options: OpenEventStoreOptions = {}): Promise<EventStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite': {
      const { SqliteEventStore } = await import('./sqlite/sqlite-event-store');
      return SqliteEventStore.open(location.path, options);
    }
    case 'postgres': {
      const { PostgresEventStore } = await import('./postgres/postgres-event-store');
      return PostgresEventStore.open(location.url, options);
    }
    case 'esdb':
      throw new EventStoreError(EventStoreErrorCode.StoreUnavailable, 'the EventStoreDB adapter is not built yet (esdb:// URLs arrive with it)');
  }
}

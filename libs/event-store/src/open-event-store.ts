import { resolve } from 'node:path';
import { EventStoreError, EventStoreErrorCode } from './event-store.errors';
import type { AppendProbe } from './append-probe';
import type { EventStore } from './event-store.port';
import { isEsdbUrl, parseEsdbUrl, redactEsdbUrl } from './esdb/esdb-url';
import { redact as redactPostgresUrl } from './postgres/postgres-url';

export const DEFAULT_STORE_URL = 'sqlite:./data/capflow.db';

export type StoreLocation =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string }
  /** EventStoreDB holds only the log: `readModels` (the URL's readModels= parameter) names where read models live. */
  | { kind: 'esdb'; url: string; readModels: string };

/** `sqlite:PATH`, `postgres://…` / `postgresql://…`, `esdb://…` (also esdb+discover://, kurrentdb://). */
export function parseStoreUrl(url: string): StoreLocation {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new EventStoreError(EventStoreErrorCode.InvalidStoreUrl, 'sqlite: needs a path, e.g. sqlite:./data/capflow.db');
    return { kind: 'sqlite', path: resolve(path) };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { kind: 'postgres', url };
  if (isEsdbUrl(url)) {
    const { readModels } = parseEsdbUrl(url); // throws invalid_store_url with the reason
    parseStoreUrl(readModels);
    return { kind: 'esdb', url, readModels };
  }
  throw new EventStoreError(
    EventStoreErrorCode.InvalidStoreUrl,
    `unknown store URL ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}: use sqlite:PATH, postgres://… or esdb://…`,
  );
}

/** A store URL fit for logs and messages: every password masked (an esdb:// URL's readModels= URL's too). */
export function redactStoreUrl(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  return isEsdbUrl(url) ? redactEsdbUrl(url) : redactPostgresUrl(url);
}

export interface OpenEventStoreOptions {
  clock?: () => Date;
  /** Test-only: told when each append transaction opens and closes (SQLite and PostgreSQL). */
  probe?: AppendProbe;
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
    case 'esdb': {
      const { EsdbEventStore } = await import('./esdb/esdb-event-store');
      return EsdbEventStore.open(location.url, options);
    }
  }
}

import { EventStoreError, EventStoreErrorCode } from '../event-store.errors';

/** `postgres://…?schema=name`: the schema (default `capflow`) is ours, the rest is pg's. */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EventStoreError(EventStoreErrorCode.InvalidStoreUrl, `not a PostgreSQL URL: ${url}`);
  }
  const schema = parsed.searchParams.get('schema') ?? 'capflow';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new EventStoreError(EventStoreErrorCode.InvalidStoreUrl, `schema ${JSON.stringify(schema)} must match [a-z_][a-z0-9_]*`);
  }
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/** A URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

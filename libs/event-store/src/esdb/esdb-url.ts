import { EventStoreError, EventStoreErrorCode } from '../event-store.errors';

/** Where read models live beside EventStoreDB when the URL does not say (EventStoreDB holds only the log). */
export const DEFAULT_ESDB_READ_MODELS = 'sqlite:./data/capflow-read-models.db';
/** How long opening the store waits for the server before giving up (the e2e tests hold it to a few seconds). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
/** EventStoreDB's default --max-append-size. */
export const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;

/** What capflow reads from an esdb:// URL; the rest of the URL is the client's connection string. */
export interface EsdbSettings {
  /** The connection string for @eventstore/db-client: esdb:// or esdb+discover://, without capflow's parameters. */
  connectionString: string;
  /** `host:port[,host:port…]`, for messages. */
  target: string;
  /** The URL as given, credentials masked. */
  redacted: string;
  /** Prefix of every stream name (`<namespace>.`), so several ledgers (or test runs) can share a server; '' = none. */
  namespace: string;
  /** The read models' store: sqlite:PATH or postgres://… (percent-encoded in the URL if it has ? or &). */
  readModels: string;
  connectTimeoutMs: number;
  /** The server's --max-append-size: larger appends are written in several parts under the append lock. */
  maxAppendSize: number;
}

const SCHEMES: Record<string, string> = {
  'esdb://': 'esdb://',
  'esdb+discover://': 'esdb+discover://',
  'kurrentdb://': 'esdb://',
  'kurrentdb+discover://': 'esdb+discover://',
  'kdb://': 'esdb://',
  'kdb+discover://': 'esdb+discover://',
};

/** capflow's own parameters (matched like the client matches its own: case and - _ ignored). */
const CAPFLOW_KEYS = ['readmodels', 'namespace', 'connecttimeout', 'maxappendsize'] as const;
const flat = (key: string) => key.trim().toLowerCase().replace(/[_-]/g, '');

export function isEsdbUrl(url: string): boolean {
  return Object.keys(SCHEMES).some((scheme) => url.startsWith(scheme));
}

/**
 * Masks every password in a URL for logs and messages: the server's (`user:***@`) and that of a
 * URL in its parameters (readModels=postgres://user:***@…), written plainly or percent-encoded.
 */
export function redactEsdbUrl(url: string): string {
  return url.replace(/\/\/([^@/?&:]*):([^@/?&]*)@/g, '//$1:***@').replace(/%2F%2F([^%&@]*?)%3A([^&]*?)%40/gi, '%2F%2F$1%3A***%40');
}

/**
 * Parses an EventStoreDB (KurrentDB) store URL:
 * `esdb://[user:password@]host:2113[,host:port…]?tls=false&readModels=postgres://…&namespace=acme`.
 * kurrentdb:// and kdb:// are accepted as esdb://. Throws invalid_store_url with the reason.
 */
export function parseEsdbUrl(url: string): EsdbSettings {
  const scheme = Object.keys(SCHEMES).find((s) => url.startsWith(s));
  const redacted = redactEsdbUrl(url);
  const invalid = (why: string) => new EventStoreError(EventStoreErrorCode.InvalidStoreUrl, `invalid EventStoreDB URL ${JSON.stringify(redacted)}: ${why}`);
  if (!scheme) throw invalid('it must start with esdb://, esdb+discover:// or kurrentdb://');
  const rest = url.slice(scheme.length).trim().replace(/\/+(?=\?|$)/, '');
  const queryAt = rest.indexOf('?');
  const authority = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rest.slice(queryAt + 1);
  const at = authority.lastIndexOf('@');
  const hosts = at < 0 ? authority : authority.slice(at + 1);
  if (!hosts || !hosts.split(',').every((host) => /^[^$+!?*'(),;[\]{}|"%~#<>=&/\s]+$/.test(host))) {
    throw invalid('it needs a host, e.g. esdb://localhost:2113?tls=false');
  }
  const target = hosts
    .split(',')
    .map((host) => (/:\d+$/.test(host) ? host : `${host}:2113`))
    .join(',');

  const kept: string[] = [];
  const own = new Map<(typeof CAPFLOW_KEYS)[number], string>();
  for (const pair of query ? query.split('&') : []) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) throw invalid(`${JSON.stringify(pair)} is not key=value`);
    const key = flat(pair.slice(0, eq));
    const known = CAPFLOW_KEYS.find((k) => k === key);
    if (!known) {
      kept.push(pair);
      continue;
    }
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(eq + 1));
    } catch {
      throw invalid(`the value of ${pair.slice(0, eq)} is not valid percent-encoding`);
    }
    own.set(known, value);
  }

  const namespace = own.get('namespace') ?? '';
  if (namespace && !/^[A-Za-z0-9_]{1,64}$/.test(namespace)) throw invalid('namespace= takes 1 to 64 letters, digits or _');
  const readModels = own.get('readmodels') ?? DEFAULT_ESDB_READ_MODELS;
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(readModels)) {
    throw invalid('readModels= names where read models live beside the log: sqlite:PATH or postgres://… (EventStoreDB holds only the log)');
  }
  const positive = (key: 'connecttimeout' | 'maxappendsize', name: string, fallback: number) => {
    const text = own.get(key);
    if (text === undefined) return fallback;
    if (!/^\d{1,9}$/.test(text) || Number(text) === 0) throw invalid(`${name}= takes a positive whole number`);
    return Number(text);
  };
  return {
    connectionString: `${SCHEMES[scheme]}${authority}${kept.length ? `?${kept.join('&')}` : ''}`,
    target,
    redacted,
    namespace,
    readModels,
    connectTimeoutMs: positive('connecttimeout', 'connectTimeout', DEFAULT_CONNECT_TIMEOUT_MS),
    maxAppendSize: positive('maxappendsize', 'maxAppendSize', DEFAULT_MAX_APPEND_SIZE),
  };
}

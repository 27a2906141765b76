import { DEFAULT_STORE_URL, parseStoreUrl, redact } from '@capflow/event-store';
import { dirname, join } from 'node:path';
import { ApiKeyEntry, ApiKeyring } from './auth/api-keyring';

/** A setting that cannot be used: the process stops before it serves anything. */
export class AuditApiConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditApiConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The audit API's configuration, from the environment, validated once at start-up. */
export class AuditApiConfig {
  private constructor(
    readonly storeUrl: string,
    readonly host: string,
    /** 0 asks the OS for a free port. */
    readonly port: number,
    readonly keys: readonly ApiKeyEntry[],
    /** Requests per minute per key (per address without one). */
    readonly rateLimitPerMinute: number,
    /** The largest request body: an NDJSON batch of facts. */
    readonly maxBodyBytes: number,
    /** The append-only access log (NDJSON). */
    readonly accessLogPath: string,
    readonly logLevel: string,
    /** How long a request may take to send its body (and, a little longer, its whole request). */
    readonly bodyTimeoutMs: number,
  ) {}

  get redactedStoreUrl(): string {
    return this.storeUrl.startsWith('sqlite:') ? this.storeUrl : redact(this.storeUrl);
  }

  /** The same settings with other keys (e.g. keys `serve` generated for this run). */
  withKeys(keys: readonly ApiKeyEntry[]): AuditApiConfig {
    return new AuditApiConfig(
      this.storeUrl,
      this.host,
      this.port,
      keys,
      this.rateLimitPerMinute,
      this.maxBodyBytes,
      this.accessLogPath,
      this.logLevel,
      this.bodyTimeoutMs,
    );
  }

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env, overrides: { storeUrl?: string; port?: string; host?: string } = {}): AuditApiConfig {
    const storeUrl = overrides.storeUrl?.trim() || env.CAPFLOW_STORE?.trim() || DEFAULT_STORE_URL;
    const location = parseStoreUrl(storeUrl);
    const host = overrides.host?.trim() || env.CAPFLOW_API_HOST?.trim() || '127.0.0.1';
    const port = whole(overrides.port ?? env.CAPFLOW_API_PORT, 'CAPFLOW_API_PORT', 8080, 0, 65535);
    let keys: ApiKeyEntry[];
    try {
      keys = ApiKeyring.parse(env.CAPFLOW_API_KEYS ?? '');
    } catch (error) {
      throw new AuditApiConfigError(`CAPFLOW_API_KEYS: ${(error as Error).message}`);
    }
    const rateLimit = whole(env.CAPFLOW_API_RATE_LIMIT, 'CAPFLOW_API_RATE_LIMIT', 1200, 1, 10_000_000);
    const maxBodyBytes = whole(env.CAPFLOW_API_MAX_BODY_BYTES, 'CAPFLOW_API_MAX_BODY_BYTES', 16 * 1024 * 1024, 1024, 256 * 1024 * 1024);
    // Beside the embedded store's file by default; elsewhere in ./data
    const accessLogPath =
      env.CAPFLOW_ACCESS_LOG?.trim() || join(location.kind === 'sqlite' ? dirname(location.path) : 'data', 'access-log.ndjson');
    const logLevel = env.CAPFLOW_LOG_LEVEL?.trim() || 'info';
    if (!LOG_LEVELS.includes(logLevel)) throw new AuditApiConfigError(`CAPFLOW_LOG_LEVEL: "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
    // 16 MiB at 1 MB/s fits in 15 s; a client that stalls longer is holding a connection, not sending
    const bodyTimeoutMs = whole(env.CAPFLOW_API_BODY_TIMEOUT_MS, 'CAPFLOW_API_BODY_TIMEOUT_MS', 15_000, 100, 300_000);
    return new AuditApiConfig(storeUrl, host, port, keys, rateLimit, maxBodyBytes, accessLogPath, logLevel, bodyTimeoutMs);
  }
}

function whole(text: string | undefined, name: string, fallback: number, min: number, max: number): number {
  const value = (text ?? '').trim();
  if (value === '') return fallback;
  if (!/^\d{1,10}$/.test(value) || Number(value) < min || Number(value) > max)
    throw new AuditApiConfigError(`${name}: "${value.slice(0, 32)}" is not a whole number from ${min} to ${max}`);
  return Number(value);
}

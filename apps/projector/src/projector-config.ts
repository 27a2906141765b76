import { DEFAULT_STORE_URL, parseStoreUrl, redact } from '@capflow/event-store';

/** The projector's configuration, from the environment, validated once at start-up. */
export class ProjectorConfig {
  private constructor(
    readonly storeUrl: string,
    readonly flushEvery: number,
    readonly pollIntervalMs: number,
  ) {}

  get redactedStoreUrl(): string {
    return this.storeUrl.startsWith('sqlite:') ? this.storeUrl : redact(this.storeUrl);
  }

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
    const storeUrl = env.CAPFLOW_STORE?.trim() || DEFAULT_STORE_URL;
    parseStoreUrl(storeUrl);
    return new ProjectorConfig(
      storeUrl,
      positiveInteger(env.CAPFLOW_PROJECTOR_FLUSH_EVERY, 'CAPFLOW_PROJECTOR_FLUSH_EVERY', 100_000),
      positiveInteger(env.CAPFLOW_PROJECTOR_POLL_MS, 'CAPFLOW_PROJECTOR_POLL_MS', 200),
    );
  }
}

function positiveInteger(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined || text.trim() === '') return fallback;
  if (!/^\d{1,9}$/.test(text.trim()) || Number(text) === 0) throw new Error(`${name} must be a positive whole number, not ${JSON.stringify(text)}`);
  return Number(text);
}

import { DEFAULT_STORE_URL, parseStoreUrl } from '@capflow/event-store';

/** Configuration from the environment, read and validated once at start-up. */
export class CapflowConfig {
  private constructor(
    /** CAPFLOW_STORE, or the embedded default. */
    readonly storeUrl: string,
  ) {}

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): CapflowConfig {
    const storeUrl = env.CAPFLOW_STORE?.trim() || DEFAULT_STORE_URL;
    parseStoreUrl(storeUrl); // throws invalid_store_url with a clear message
    return new CapflowConfig(storeUrl);
  }
}

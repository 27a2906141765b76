import { DEFAULT_STORE_URL, parseStoreUrl, redact } from '@capflow/event-store';
import { KafkaError, KafkaErrorCode, KafkaSettings, kafkaSettingsFromEnvironment } from '@capflow/kafka';

/** The ingest process's configuration, from the environment, validated once at start-up. */
export class IngestConfig {
  private constructor(
    readonly storeUrl: string,
    readonly kafka: KafkaSettings,
    /** Where /health and /metrics listen; port 0 asks the OS for a free one. */
    readonly httpHost: string,
    readonly httpPort: number,
    readonly logLevel: string,
    /** Test-only (CAPFLOW_TEST_APPEND_PROBE): a file that records each append transaction's opening and end, for the fault tier. */
    readonly appendProbeFile: string | undefined,
  ) {}

  get redactedStoreUrl(): string {
    return this.storeUrl.startsWith('sqlite:') ? this.storeUrl : redact(this.storeUrl);
  }

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env, overrides: { storeUrl?: string } = {}): IngestConfig {
    const storeUrl = overrides.storeUrl?.trim() || env.CAPFLOW_STORE?.trim() || DEFAULT_STORE_URL;
    parseStoreUrl(storeUrl);
    const kafka = kafkaSettingsFromEnvironment(env);
    if (!kafka)
      throw new KafkaError(
        KafkaErrorCode.InvalidConfig,
        'KAFKA_BROKERS is not set: name the brokers to consume from (host:port, comma-separated)',
      );
    const port = (env.CAPFLOW_INGEST_PORT ?? '').trim() || '8091';
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535)
      throw new KafkaError(KafkaErrorCode.InvalidConfig, `CAPFLOW_INGEST_PORT: "${port}" is not a port`);
    const logLevel = (env.CAPFLOW_LOG_LEVEL ?? '').trim() || 'info';
    if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
      throw new KafkaError(
        KafkaErrorCode.InvalidConfig,
        `CAPFLOW_LOG_LEVEL: "${logLevel}" is not one of fatal, error, warn, info, debug, trace, silent`,
      );
    }
    const host = (env.CAPFLOW_INGEST_HOST ?? '').trim() || '127.0.0.1';
    return new IngestConfig(storeUrl, kafka, host, Number(port), logLevel, env.CAPFLOW_TEST_APPEND_PROBE?.trim() || undefined);
  }
}

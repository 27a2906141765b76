import { kafkaSettingsFromEnvironment } from '@capflow/kafka';
import { AuditApiConfig } from '../../../audit-api/src/audit-api.config';
import { startAuditApi } from '../../../audit-api/src/audit-api.bootstrap';
import { ApiKeyEntry, ApiKeyring } from '../../../audit-api/src/auth/api-keyring';
import { ROLES } from '../../../audit-api/src/auth/role';
import { IngestConfig } from '../../../ingest/src/ingest-config';
import { startIngest } from '../../../ingest/src/ingest.bootstrap';

export interface ServeOptions {
  storeUrl: string;
  host?: string;
  port?: string;
  /** Kafka settings in the environment's form (KAFKA_BROKERS, CAPFLOW_KAFKA_TOPIC…). */
  environment: NodeJS.ProcessEnv;
  ingest: boolean;
}

/**
 * Everything in one process: the audit API and page, the projector keeping the read models, and,
 * when Kafka brokers are configured, the ingest consumer. Runs until SIGTERM or Ctrl-C.
 */
export async function serveAllInOne(options: ServeOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  let config = AuditApiConfig.fromEnvironment(options.environment, { storeUrl: options.storeUrl, host: options.host, port: options.port });
  const kafkaConfigured = options.ingest && kafkaSettingsFromEnvironment(options.environment) !== undefined;
  const ingestConfig = kafkaConfigured ? IngestConfig.fromEnvironment(options.environment, { storeUrl: options.storeUrl }) : null;
  let generated: { role: string; key: string; entry: ApiKeyEntry }[] = [];
  if (config.keys.length === 0) {
    // A first run needs no setup: keys for this run only, shown once, held as hashes
    generated = ROLES.map((role) => ({ role, ...ApiKeyring.generate(`${role}-this-run`, [role]) }));
    config = config.withKeys(generated.map((key) => key.entry));
  }
  const api = await startAuditApi(config, { projector: true });
  let ingest: Awaited<ReturnType<typeof startIngest>> | null = null;
  try {
    ingest = ingestConfig ? await startIngest(ingestConfig) : null;
  } catch (error) {
    await api.stop(); // else its server would keep a process that failed to start alive
    throw error;
  }
  const auditorKey = generated.find((key) => key.role === 'auditor')?.key;
  const lines = [
    `capflow is serving ${config.redactedStoreUrl}`,
    `  page     ${api.url}/${auditorKey ? `#key=${auditorKey}` : ''}`,
    `  API      ${api.url}/api   (description: ${api.url}/docs)`,
    `  health   ${api.url}/health`,
    ingest ? `  ingest   consuming ${ingestConfig!.kafka.topic} (health: ${ingest.url}/health)` : '  ingest   off (set KAFKA_BROKERS to consume Kafka)',
  ];
  if (generated.length > 0) {
    lines.push('', 'No CAPFLOW_API_KEYS set: keys for this run only (send "Authorization: Bearer <key>"):');
    for (const key of generated) lines.push(`  ${key.role.padEnd(8)} ${key.key}`);
  }
  lines.push('', 'Ctrl-C stops.');
  out.write(`${lines.join('\n')}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void Promise.allSettled([ingest?.stop(), api.stop()]).then(() => resolve());
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

import 'reflect-metadata';
import { AuditApiConfig } from './audit-api.config';
import { startAuditApi } from './audit-api.bootstrap';

/** The audit API process; the read models are kept by a separate projector process. */
async function main(): Promise<void> {
  const config = AuditApiConfig.fromEnvironment();
  if (config.keys.length === 0) process.stderr.write('capflow audit-api: no CAPFLOW_API_KEYS: every route but the page, /docs, /health and /metrics will answer 401\n');
  const api = await startAuditApi(config);
  const stop = () => void api.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`capflow audit-api: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});

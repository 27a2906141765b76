import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createAuditApi } from './audit-api.bootstrap';
import { AuditApiConfig } from './audit-api.config';
import { openApiDocument } from './openapi';

/** Where the description is checked in, from the repository's root. */
export const OPENAPI_FILE = 'apps/audit-api/openapi.json';
/** What regenerates it (a test names this when the checked-in file is stale). */
export const REGENERATE_OPENAPI = 'npm run openapi';

/**
 * The API's description as the app generates it (the document served at /docs/openapi.json):
 * pretty JSON with every object's keys sorted, so that the checked-in file changes only when the
 * API does. The app is created on a throwaway store and never listens.
 */
export async function generateOpenApiJson(): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'capflow-openapi-'));
  try {
    const environment = { CAPFLOW_LOG_LEVEL: 'silent', CAPFLOW_ACCESS_LOG: join(scratch, 'access-log.ndjson') };
    const config = AuditApiConfig.fromEnvironment(environment, { storeUrl: `sqlite:${join(scratch, 'openapi.db')}`, port: '0' });
    const app = await createAuditApi(config);
    try {
      await app.init();
      return `${JSON.stringify(sortedKeys(openApiDocument(app)), null, 2)}\n`;
    } finally {
      await app.close();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

/** `node dist/apps/audit-api/src/write-openapi.js [FILE]`, from the repository's root. */
async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? OPENAPI_FILE);
  writeFileSync(target, await generateOpenApiJson());
  process.stdout.write(`wrote ${target}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`write-openapi: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
}

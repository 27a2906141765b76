import 'reflect-metadata';
import { openEventStore } from '@capflow/event-store';
import { openReadModelStore, Projector, runProjector } from '@capflow/read-models';
import { ProjectorConfig } from './projector-config';

/**
 * The projector process: keeps the read models beside the log up to date, resuming from their
 * checkpoints. SIGTERM/SIGINT: the catch-up under way writes its checkpoint, then the process exits.
 */
async function main(): Promise<void> {
  const config = ProjectorConfig.fromEnvironment();
  const log = (level: string, msg: string, fields: Record<string, unknown> = {}) =>
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, service: 'capflow-projector', msg, ...fields })}\n`);
  const store = await openEventStore(config.storeUrl);
  const readModels = await openReadModelStore(config.storeUrl);
  const projector = new Projector(store, readModels, { flushEvery: config.flushEvery });
  const loop = runProjector(projector, {
    pollIntervalMs: config.pollIntervalMs,
    onCaughtUp: (position) => log('info', 'caught up', { position }),
  });
  const stop = async (signal: string) => {
    log('info', 'stopping', { signal });
    await loop.stop();
    await readModels.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  log('info', 'started', { store: config.redactedStoreUrl, flushEvery: config.flushEvery });
  await loop.done;
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'fatal', service: 'capflow-projector', msg: String((error as Error)?.stack ?? error) })}\n`);
  process.exit(1);
});

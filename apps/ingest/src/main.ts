import 'reflect-metadata';
import { IngestConfig } from './ingest-config';
import { startIngest } from './ingest.bootstrap';

/**
 * The ingest process: consumes the input and retry topics as group `capflow-ingest` and appends
 * to the store. SIGTERM/SIGINT: the batch under way finishes and commits, then the member leaves.
 */
async function main(): Promise<void> {
  const running = await startIngest(IngestConfig.fromEnvironment());
  const stop = (signal: string) => {
    void running.stop().then(
      () => process.exit(process.exitCode ?? 0),
      (error: unknown) => {
        process.stderr.write(
          `${JSON.stringify({ level: 'error', service: 'capflow-ingest', msg: `stopping on ${signal} failed: ${(error as Error)?.message}` })}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'fatal', service: 'capflow-ingest', msg: String((error as Error)?.stack ?? error) })}\n`,
  );
  process.exit(1);
});

import 'reflect-metadata';
import { openEventStore } from '@capflow/event-store';
import { IngestionService } from '@capflow/ingestion';
import { parentPort, workerData } from 'node:worker_threads';
import { importFile } from './file-importer';
import type { ImportWorkerMessage } from './worker-import';

/** The import itself, on a thread with a bounded heap (see worker-import.ts). */
async function run(): Promise<void> {
  const { file, storeUrl } = workerData as { file: string; storeUrl: string };
  const post = (message: ImportWorkerMessage) => parentPort!.postMessage(message);
  const store = await openEventStore(storeUrl);
  try {
    const ingestion = new IngestionService(store);
    await ingestion.warmUp();
    const summary = await importFile(ingestion, file, (progress) => post({ type: 'progress', progress }));
    post({ type: 'done', accepted: summary.accepted, duplicates: summary.duplicates, lines: summary.lines, rejected: summary.rejected.handOver() });
  } finally {
    await store.close();
  }
}

run().catch((error: unknown) => {
  const { message, code, path, details } = error as { message?: string; code?: string; path?: string; details?: Record<string, unknown> };
  parentPort!.postMessage({ type: 'failed', error: { name: (error as Error)?.name, message: message ?? String(error), code, path, details } } satisfies ImportWorkerMessage);
});

import 'reflect-metadata';
import { openEventStore } from '@capflow/event-store';
import { IngestionService } from '@capflow/ingestion';
import { workerData } from 'node:worker_threads';
import { reportToParent } from '../worker/bounded-worker';
import { importFile, ImportProgress } from './file-importer';
import type { ImportWorkerResult } from './worker-import';

/** The import itself, on a thread with a bounded heap (see worker-import.ts). */
reportToParent<ImportProgress, ImportWorkerResult>(async (progress) => {
  const { file, storeUrl } = workerData as { file: string; storeUrl: string };
  const store = await openEventStore(storeUrl);
  try {
    const ingestion = new IngestionService(store);
    await ingestion.warmUp();
    const summary = await importFile(ingestion, file, progress);
    return { accepted: summary.accepted, duplicates: summary.duplicates, lines: summary.lines, rejected: summary.rejected.handOver() };
  } finally {
    await store.close();
  }
});

import 'reflect-metadata';
import { workerData } from 'node:worker_threads';
import { reportToParent } from '../worker/bounded-worker';
import type { ImportProgress } from './file-importer';
import { importHere, ImportWorkerResult } from './worker-import';

/** The import, on a thread with a bounded heap (see worker-import.ts). */
reportToParent<ImportProgress, ImportWorkerResult>(async (progress) => {
  const { file, storeUrl } = workerData as { file: string; storeUrl: string };
  const summary = await importHere(file, storeUrl, progress);
  return { accepted: summary.accepted, duplicates: summary.duplicates, lines: summary.lines, rejected: summary.rejected.handOver() };
});

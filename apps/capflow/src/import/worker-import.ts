import { EventStoreError, EventStoreErrorCode } from '@capflow/event-store';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { importFile, ImportProgress, ImportSummary } from './file-importer';
import { RejectedLine, RejectionLog } from './rejection-log';

export type ImportWorkerMessage =
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'done'; accepted: number; duplicates: number; lines: number; rejected: { head: RejectedLine[]; spillFile: string | null; count: number } }
  | { type: 'failed'; error: { name?: string; message: string; code?: string; path?: string; details?: Record<string, unknown> } };

/**
 * An import runs on a worker thread whose heap is capped: what it holds is bounded by design
 * (batches in flight, the decision state's windows), and the cap keeps V8 from growing its heap
 * into garbage, so a file of any size imports within the same memory (about 400 MB resident for
 * a million events). Without the compiled worker (the tests run sources) it runs here.
 */
export async function importInWorker(
  file: string,
  storeUrl: string,
  onProgress: (progress: ImportProgress) => void,
  heapMb = 288,
): Promise<ImportSummary> {
  const script = join(__dirname, 'import.worker.js');
  if (!existsSync(script)) return importHere(file, storeUrl, onProgress);
  const worker = new Worker(script, { workerData: { file, storeUrl }, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
  return new Promise<ImportSummary>((resolve, reject) => {
    worker.on('message', (message: ImportWorkerMessage) => {
      if (message.type === 'progress') onProgress(message.progress);
      else if (message.type === 'done') {
        resolve({ accepted: message.accepted, duplicates: message.duplicates, lines: message.lines, rejected: RejectionLog.takeOver(message.rejected) });
      } else reject(revive(message.error));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`the import stopped (worker exit code ${code})`)));
  });
}

async function importHere(file: string, storeUrl: string, onProgress: (progress: ImportProgress) => void): Promise<ImportSummary> {
  const { openEventStore } = await import('@capflow/event-store');
  const { IngestionService } = await import('@capflow/ingestion');
  const store = await openEventStore(storeUrl);
  try {
    const ingestion = new IngestionService(store);
    await ingestion.warmUp();
    return await importFile(ingestion, file, onProgress);
  } finally {
    await store.close();
  }
}

/** An error as the worker reported it, as the command line reports errors. */
function revive(error: Extract<ImportWorkerMessage, { type: 'failed' }>['error']): Error {
  if (error.name === 'EventStoreError' && error.code) return new EventStoreError(error.code as EventStoreErrorCode, error.message, error.details);
  return Object.assign(new Error(error.message), { code: error.code, path: error.path });
}

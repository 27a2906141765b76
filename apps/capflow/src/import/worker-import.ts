import { join } from 'node:path';
import { runBounded } from '../worker/bounded-worker';
import { importFile, ImportProgress, ImportSummary } from './file-importer';
import { RejectedLine, RejectionLog } from './rejection-log';

/** What the import thread hands back: the counts, and its rejections (see RejectionLog.handOver). */
export interface ImportWorkerResult {
  accepted: number;
  duplicates: number;
  lines: number;
  rejected: { head: RejectedLine[]; spillFile: string | null; count: number };
}

/**
 * An import runs on a worker thread whose heap is capped (see runBounded): what it holds is
 * bounded by design (batches in flight, the decision state's windows), so a file of any size
 * imports within the same memory (about 400 MB resident for a million events).
 */
export async function importInWorker(
  file: string,
  storeUrl: string,
  onProgress: (progress: ImportProgress) => void,
  heapMb = 288,
): Promise<ImportSummary> {
  const budget = { heapMb, what: 'the import', leaves: 'the batches it stored stay stored, and running it again stores the rest' };
  const running = runBounded<ImportProgress, ImportWorkerResult>(join(__dirname, 'import.worker.js'), { file, storeUrl }, budget, onProgress);
  if (!running) return importHere(file, storeUrl, onProgress);
  const result = await running;
  return { accepted: result.accepted, duplicates: result.duplicates, lines: result.lines, rejected: RejectionLog.takeOver(result.rejected) };
}

/** The import itself, on whichever thread runs it. */
export async function importHere(file: string, storeUrl: string, onProgress: (progress: ImportProgress) => void): Promise<ImportSummary> {
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

import { EventStoreError, EventStoreErrorCode } from '@capflow/event-store';
import { existsSync } from 'node:fs';
import { parentPort, Worker } from 'node:worker_threads';

/** An error as a worker thread reports it: enough to report it as the command line reports errors. */
export interface WorkerError {
  name?: string;
  message: string;
  code?: string;
  path?: string;
  details?: Record<string, unknown>;
}

/** What a worker thread says: how far it is, what it made, or what stopped it. */
export type WorkerReport<P, R> = { type: 'progress'; progress: P } | { type: 'done'; result: R } | { type: 'failed'; error: WorkerError };

/** The work needed more heap than its thread was given: stopped, the budget named, and what it leaves. */
export class HeapBudgetExceeded extends Error {
  constructor(what: string, heapMb: number, leaves: string) {
    super(`${what} needs more than the ${heapMb} MB of heap it is given, and was stopped: ${leaves}`);
  }
}

/**
 * Runs `script` on a worker thread whose heap is capped at `heapMb`: what the work holds is
 * bounded by design, and the cap keeps V8 from growing its heap into garbage, so the process's
 * memory follows the work, not the size of the ledger. Work that needs more than the cap is
 * stopped with HeapBudgetExceeded, never a crash of the process. Null when the compiled script
 * is missing (the tests run sources): the caller runs the work on its own thread.
 */
export function runBounded<P, R>(
  script: string,
  workerData: unknown,
  budget: { heapMb: number; what: string; leaves: string },
  onProgress: (progress: P) => void,
): Promise<R> | null {
  if (!existsSync(script)) return null;
  const worker = new Worker(script, { workerData, resourceLimits: { maxOldGenerationSizeMb: budget.heapMb } });
  return new Promise<R>((resolve, reject) => {
    worker.on('message', (report: WorkerReport<P, R>) => {
      if (report.type === 'progress') onProgress(report.progress);
      else if (report.type === 'done') resolve(report.result);
      else reject(revive(report.error));
    });
    worker.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new HeapBudgetExceeded(budget.what, budget.heapMb, budget.leaves) : error),
    );
    worker.on('exit', (code) => reject(new Error(`${budget.what} stopped (worker exit code ${code})`)));
  });
}

/** The worker's side: runs `work`, reporting its progress and its result or error to the parent thread. */
export function reportToParent<P, R>(work: (progress: (progress: P) => void) => Promise<R>): void {
  const post = (report: WorkerReport<P, R>) => parentPort!.postMessage(report);
  work((progress) => post({ type: 'progress', progress })).then(
    (result) => post({ type: 'done', result }),
    (error: unknown) => {
      const { message, code, path, details } = error as Partial<WorkerError>;
      post({ type: 'failed', error: { name: (error as Error)?.name, message: message ?? String(error), code, path, details } });
    },
  );
}

/** An error as the worker reported it, as the command line reports errors. */
function revive(error: WorkerError): Error {
  if (error.name === 'EventStoreError' && error.code) return new EventStoreError(error.code as EventStoreErrorCode, error.message, error.details);
  return Object.assign(new Error(error.message), { code: error.code, path: error.path });
}

import type { ProjectionName, ProjectorProgress } from '@capflow/read-models';
import { join } from 'node:path';
import { runBounded } from '../worker/bounded-worker';

export interface ReplayRequest {
  storeUrl: string;
  projections: ProjectionName[];
  flushEvery?: number;
}

/** A rebuild's result as it crosses threads: the digests as entries. */
export interface ReplayResult {
  position: number;
  digest: string;
  digests: [ProjectionName, string][];
}

/** The heap a replay is given unless told otherwise: 1,000,000 facts of generator v2 need ~1.3 GB of it (900 MB is too little). */
export const REPLAY_HEAP_MB = 2048;

/**
 * `capflow replay` runs the rebuild on a worker thread with a capped heap (see runBounded): a
 * ledger whose read models need more is stopped with a clear message, not a crash, and the new
 * generations it was writing are never activated (the old read models go on serving).
 */
export async function replayInWorker(
  request: ReplayRequest,
  onProgress: (progress: ProjectorProgress) => void,
  heapMb = REPLAY_HEAP_MB,
): Promise<ReplayResult> {
  const budget = { heapMb, what: 'the replay', leaves: 'the read models it was rebuilding are not served; run it again with a larger --heap-mb' };
  return runBounded<ProjectorProgress, ReplayResult>(join(__dirname, 'replay.worker.js'), request, budget, onProgress) ?? replay(request, onProgress);
}

/** The rebuild itself, on whichever thread runs it. */
export async function replay(request: ReplayRequest, onProgress: (progress: ProjectorProgress) => void): Promise<ReplayResult> {
  const { openEventStore } = await import('@capflow/event-store');
  const { openReadModelStore, Projector, ReconciledReadModels } = await import('@capflow/read-models');
  const store = await openEventStore(request.storeUrl);
  let readModels: InstanceType<typeof ReconciledReadModels> | null = null;
  try {
    readModels = new ReconciledReadModels(await openReadModelStore(request.storeUrl));
    const result = await new Projector(store, readModels, { flushEvery: request.flushEvery }).rebuild(request.projections, onProgress);
    return { position: result.position, digest: result.digest, digests: [...result.digests] };
  } finally {
    await readModels?.close();
    await store.close();
  }
}

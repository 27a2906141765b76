import type { EventStore, StoredEvent } from '@capflow/event-store';
import { LedgerView, LiveLedger, Restatement } from '@capflow/projections';
import { chainDigest, combinedDigest, documentsDigest, EMPTY_DIGEST } from './digest';
import { ACCOUNT_PROJECTIONS, AccountsEngine, documentsOf, ProjectionEngine, roundTripDocuments, TracingEngine } from './engines';
import { PROJECTIONS, ProjectionName, ProjectionState, ProjectionWrite, ReadModelStore } from './read-model.store';
import { forEachInBusinessOrder, frameOf, turn } from './store-views';
import { reversalTargetOf, reversalTargets, viewEventOf } from './view-event-of';
import { passWithSnapshots, SNAPSHOT_EVERY } from './view-snapshots';

export interface ProjectorOptions {
  /** Events read from the store at a time. */
  batchSize?: number;
  /** During a long catch-up, read models and checkpoints are written every this many events. */
  flushEvery?: number;
  /** A rebuild stores a snapshot every this many events of business order (default SNAPSHOT_EVERY). */
  snapshotEvery?: number;
}

export interface ProjectorProgress {
  position: number;
  head: number;
}

export interface RebuildResult {
  position: number;
  digests: Map<ProjectionName, string>;
  /** One digest of every projection rebuilt: two rebuilds of the same log give the same. */
  digest: string;
}

interface Running {
  engine: ProjectionEngine;
  position: number;
}

/**
 * Keeps the read models up to date with the log: applies facts in the order they were recorded
 * (so late facts restate, see LiveLedger), and writes each projection's documents, restatements
 * and checkpoint in one transaction. Two engines: accounts (balances, commitments, credits,
 * flows: cheap in any order) and tracing (round trips, restatements). An engine resumes from its
 * projections' checkpoints, rebuilding its memory from the log up to them in one pass in business
 * order; an engine whose projections are all at the log's head is not even started.
 */
export class Projector {
  private readonly running = new Map<'accounts' | 'tracing', Running>();
  private states = new Map<ProjectionName, ProjectionState>();
  private pending: Restatement[] = [];
  private readonly batchSize: number;
  private readonly flushEvery: number;
  private readonly snapshotEvery: number;

  constructor(
    private readonly store: EventStore,
    private readonly readModels: ReadModelStore,
    options: ProjectorOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 5000;
    this.flushEvery = options.flushEvery ?? 100_000;
    this.snapshotEvery = options.snapshotEvery ?? SNAPSHOT_EVERY;
  }

  /**
   * Brings `projections` (default: all) up to the log's head, writing as it goes. Round trips
   * alone, far behind, on a cold projector, are computed in one pass in business order instead
   * of being traced in recorded order (no restatements are wanted of that pass).
   */
  async catchUp(onProgress?: (progress: ProjectorProgress) => void, projections: readonly ProjectionName[] = PROJECTIONS): Promise<number> {
    this.states = await this.readModels.states();
    const head = (await this.store.head()).position;
    const behind = (projection: ProjectionName) => (this.states.get(projection)?.position ?? -1) < head;
    if (projections.some((p) => ACCOUNT_PROJECTIONS.includes(p) && behind(p))) await this.follow('accounts', head, onProgress);
    if (projections.includes('restatements') && behind('restatements')) await this.follow('tracing', head, onProgress);
    else if (projections.includes('round-trips') && behind('round-trips')) {
      if (this.running.has('tracing')) await this.follow('tracing', head, onProgress);
      else await this.computeRoundTrips(head, onProgress);
    }
    return head;
  }

  /** The read models' digests as persisted. */
  async digests(): Promise<Map<ProjectionName, string>> {
    const states = await this.readModels.states();
    return new Map(PROJECTIONS.filter((p) => states.has(p)).map((p) => [p, states.get(p)!.digest]));
  }

  /**
   * Rebuilds projections from position 0 into new generations, served only once complete.
   * Restatements need every fact in the order it was recorded; the other projections are one pass
   * in business order, which also stores the snapshots as-of and known-at views start from.
   */
  async rebuild(projections: readonly ProjectionName[], onProgress?: (progress: ProjectorProgress) => void): Promise<RebuildResult> {
    const head = (await this.store.head()).position;
    const generations = new Map<ProjectionName, number>();
    for (const projection of projections) generations.set(projection, await this.readModels.newGeneration(projection));
    const digests = new Map<ProjectionName, string>();

    if (projections.includes('restatements')) {
      digests.set('restatements', await this.rebuildRestatements(generations.get('restatements')!, head, onProgress));
    }
    // the pass in business order ends with the same view as the one in recorded order: the
    // restatements' ledger is gone by now, and the documents come from this one
    const progress = projections.includes('restatements') ? undefined : (seen: number) => onProgress?.({ position: Math.min(seen, head), head });
    const documents = documentsOf(await passWithSnapshots(this.store, this.readModels, head, progress, this.snapshotEvery));
    const writes: ProjectionWrite[] = [];
    for (const projection of projections) {
      const docs = documents.get(projection);
      if (!docs) continue;
      const digest = documentsDigest(docs);
      digests.set(projection, digest);
      writes.push({ projection, generation: generations.get(projection)!, position: head, digest, documents: docs });
    }
    await this.readModels.flush(writes);
    for (const projection of projections) await this.readModels.activate(projection, generations.get(projection)!);
    this.running.clear(); // engines restart from the new checkpoints on next use
    const ordered = new Map(PROJECTIONS.filter((p) => digests.has(p)).map((p) => [p, digests.get(p)!]));
    return { position: head, digests: ordered, digest: combinedDigest(ordered) };
  }

  /**
   * The restatements from position 0, every fact in the order it was recorded, written as they
   * come; returns their chained digest.
   */
  private async rebuildRestatements(generation: number, head: number, onProgress?: (progress: ProjectorProgress) => void): Promise<string> {
    const ledger = new LiveLedger();
    let digest = EMPTY_DIGEST;
    let rows: Restatement[] = [];
    let position = 0;
    let unflushed = 0;
    const write = async () => {
      await this.readModels.flush([{ projection: 'restatements', generation, position, digest, restatements: rows }]);
      rows = [];
    };
    for (;;) {
      const events = await this.store.readAll({ after: position, limit: this.batchSize });
      if (events.length === 0) break;
      const targets = await reversalTargets(this.store, events);
      for (const stored of events) {
        const restatement = ledger.apply(viewEventOf(stored), reversalTargetOf(stored, targets));
        if (restatement) {
          rows.push(restatement);
          digest = chainDigest(digest, restatement);
        }
      }
      position = events[events.length - 1].position;
      unflushed += events.length;
      if (unflushed >= this.flushEvery) {
        await write();
        unflushed = 0;
      }
      onProgress?.({ position, head });
      await turn();
    }
    const last = ledger.close();
    if (last) {
      rows.push(last);
      digest = chainDigest(digest, last);
    }
    await write();
    return digest;
  }

  /** Runs an engine from its projections' lowest checkpoint to `head`, writing as it goes. */
  private async follow(kind: 'accounts' | 'tracing', head: number, onProgress?: (progress: ProjectorProgress) => void): Promise<void> {
    const projections = kind === 'accounts' ? ACCOUNT_PROJECTIONS : (['round-trips', 'restatements'] as const);
    const from = Math.min(...projections.map((p) => this.states.get(p)?.position ?? 0));
    let running = this.running.get(kind);
    if (!running || running.position > from) {
      running = { engine: await this.warmed(kind, from), position: from };
      this.running.set(kind, running);
      if (kind === 'tracing') this.pending = [];
    }
    let unflushed = 0;
    while (running.position < head) {
      const events = await this.store.readAll({ after: running.position, limit: Math.min(this.batchSize, head - running.position) });
      if (events.length === 0) break;
      const targets = await reversalTargets(this.store, events);
      const restatementsFrom = this.states.get('restatements')?.position ?? 0;
      for (const stored of events) {
        const restatement = running.engine.apply(viewEventOf(stored), reversalTargetOf(stored, targets));
        if (restatement && restatement.position > restatementsFrom) this.pending.push(restatement);
      }
      const last = events[events.length - 1];
      running.position = last.position;
      unflushed += events.length;
      // written only between appends: a checkpoint inside one would split its restatement
      if (unflushed >= this.flushEvery && (await this.endsAnAppend(last))) {
        this.closeStep(running);
        await this.flush(running);
        unflushed = 0;
      }
      onProgress?.({ position: running.position, head });
      await turn();
    }
    this.closeStep(running); // the head: every append read is whole
    await this.flush(running);
  }

  private closeStep(running: Running): void {
    const restatement = running.engine.close();
    if (restatement && restatement.position > (this.states.get('restatements')?.position ?? 0)) this.pending.push(restatement);
  }

  /** Whether the next event was recorded in another append than `event` (or there is none yet). */
  private async endsAnAppend(event: StoredEvent): Promise<boolean> {
    const [next] = await this.store.readAll({ after: event.position, limit: 1 });
    return !next || next.recordedAt !== event.recordedAt;
  }

  private async warmed(kind: 'accounts' | 'tracing', position: number): Promise<ProjectionEngine> {
    const frame = await frameOf(this.store, position);
    const engine = kind === 'accounts' ? new AccountsEngine(frame) : new TracingEngine(frame);
    if (position > 0) {
      const latest = await forEachInBusinessOrder(this.store, frame, { toPosition: position }, (event) => engine.warm(event));
      engine.warmed(latest);
    }
    return engine;
  }

  /** Writes the engine's projections that are behind it, documents and restatements with their checkpoints. */
  private async flush(running: Running): Promise<void> {
    const behind = running.engine.projections.filter((p) => (this.states.get(p)?.position ?? -1) < running.position);
    if (behind.length === 0) return;
    const documents = running.engine.documents();
    const writes: ProjectionWrite[] = behind.map((projection) => {
      const state = this.states.get(projection);
      const generation = state?.generation ?? 1;
      if (projection === 'restatements') {
        let digest = state?.digest ?? EMPTY_DIGEST;
        for (const restatement of this.pending) digest = chainDigest(digest, restatement);
        return { projection, generation, position: running.position, digest, restatements: this.pending };
      }
      const docs = documents.get(projection)!;
      return { projection, generation, position: running.position, digest: documentsDigest(docs), documents: docs };
    });
    await this.readModels.flush(writes);
    for (const write of writes) this.states.set(write.projection, { generation: write.generation, position: write.position, digest: write.digest });
    if (behind.includes('restatements')) this.pending = [];
  }

  /** Round trips at the head in one pass in business order, without tracing every late fact. */
  private async computeRoundTrips(head: number, onProgress?: (progress: ProjectorProgress) => void): Promise<void> {
    const docs = roundTripDocuments(await this.onePass(head, onProgress));
    const state = this.states.get('round-trips');
    const write: ProjectionWrite = {
      projection: 'round-trips',
      generation: state?.generation ?? 1,
      position: head,
      digest: documentsDigest(docs),
      documents: docs,
    };
    await this.readModels.flush([write]);
    this.states.set('round-trips', { generation: write.generation, position: head, digest: write.digest });
  }

  private async onePass(head: number, onProgress?: (progress: ProjectorProgress) => void): Promise<LedgerView> {
    const frame = await frameOf(this.store, head);
    const view = new LedgerView(frame.groups);
    await forEachInBusinessOrder(
      this.store,
      frame,
      { toPosition: head },
      (event) => view.apply(event),
      (seen) => onProgress?.({ position: Math.min(seen, head), head }),
    );
    return view;
  }
}

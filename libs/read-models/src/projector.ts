import { eventKey } from '@capflow/contracts';
import type { EventStore, StoredEvent } from '@capflow/event-store';
import { LedgerView, LiveLedger, Restatement, ViewEvent } from '@capflow/projections';
import { chainDigest, combinedDigest, digestOf, EMPTY_DIGEST } from './digest';
import { PROJECTIONS, ProjectionName, ProjectionState, ProjectionWrite, ReadModelStore } from './read-model.store';
import { forEachInBusinessOrder, frameOf } from './store-views';
import { viewEventOf } from './view-event-of';

export interface ProjectorOptions {
  /** Events read from the store at a time. */
  batchSize?: number;
  /** During a long catch-up, read models and checkpoints are written every this many events. */
  flushEvery?: number;
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

/** The report documents each projection is made of. */
export function documentsOf(view: LedgerView): Map<ProjectionName, Map<string, unknown>> {
  return new Map<ProjectionName, Map<string, unknown>>([
    ['balances', new Map([['balances', view.balancesReport(null)]])],
    [
      'round-trips',
      new Map([
        ['fifo', view.roundTripsReport('fifo', null)],
        ['pro_rata', view.roundTripsReport('pro_rata', null)],
      ]),
    ],
    ['commitments', new Map([['commitments', view.commitmentsReport(null)]])],
    ['credits', new Map([['credits', view.creditsReport(null)]])],
    ['flows', new Map([['flows', view.flowsReport(null)]])],
  ]);
}

/**
 * Keeps the read models up to date with the log: applies events in the order they were recorded
 * (so late facts restate, see LiveLedger), and writes each projection's documents, restatements
 * and checkpoint in one transaction. A restarted projector resumes from its checkpoints: its
 * in-memory ledger is rebuilt from the log up to them in one pass in business order.
 */
export class Projector {
  private ledger: LiveLedger | null = null;
  private position = 0;
  private states = new Map<ProjectionName, ProjectionState>();
  private pending: Restatement[] = [];
  private readonly batchSize: number;
  private readonly flushEvery: number;

  constructor(
    private readonly store: EventStore,
    private readonly readModels: ReadModelStore,
    options: ProjectorOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 5000;
    this.flushEvery = options.flushEvery ?? 100_000;
  }

  /** Applies everything the log holds beyond the checkpoints, then writes. Returns the position reached. */
  async catchUp(onProgress?: (progress: ProjectorProgress) => void): Promise<number> {
    if (!this.ledger) await this.start();
    const head = (await this.store.head()).position;
    let unflushed = 0;
    for (;;) {
      const events = await this.store.readAll({ after: this.position, limit: this.batchSize });
      if (events.length === 0) break;
      await this.apply(events, this.ledger!, (restatement) => {
        if (restatement.position > (this.states.get('restatements')?.position ?? 0)) this.pending.push(restatement);
      });
      unflushed += events.length;
      if (unflushed >= this.flushEvery) {
        await this.flush();
        unflushed = 0;
      }
      onProgress?.({ position: this.position, head: Math.max(head, this.position) });
    }
    await this.flush();
    return this.position;
  }

  /** The read models' digests as persisted. */
  async digests(): Promise<Map<ProjectionName, string>> {
    const states = await this.readModels.states();
    return new Map(PROJECTIONS.filter((p) => states.has(p)).map((p) => [p, states.get(p)!.digest]));
  }

  /**
   * Rebuilds projections from position 0 into new generations, served only once complete.
   * Restatements need every fact in the order it was recorded; the other projections are one pass
   * in business order.
   */
  async rebuild(projections: readonly ProjectionName[], onProgress?: (progress: ProjectorProgress) => void): Promise<RebuildResult> {
    const head = (await this.store.head()).position;
    const generations = new Map<ProjectionName, number>();
    for (const projection of projections) generations.set(projection, await this.readModels.newGeneration(projection));
    const digests = new Map<ProjectionName, string>();
    let position = 0;

    if (projections.includes('restatements')) {
      const ledger = new LiveLedger();
      let digest = EMPTY_DIGEST;
      let rows: Restatement[] = [];
      const write = async () => {
        const writes: ProjectionWrite[] = [{ projection: 'restatements', generation: generations.get('restatements')!, position, digest, restatements: rows }];
        rows = [];
        await this.readModels.flush(writes);
      };
      let unflushed = 0;
      for (;;) {
        const events = await this.store.readAll({ after: position, limit: this.batchSize });
        if (events.length === 0) break;
        await this.apply(events, ledger, (restatement) => {
          rows.push(restatement);
          digest = chainDigest(digest, restatement);
        });
        position = events[events.length - 1].position;
        unflushed += events.length;
        if (unflushed >= this.flushEvery) {
          await write();
          unflushed = 0;
        }
        onProgress?.({ position, head });
      }
      await write();
      digests.set('restatements', digest);
      const documents = documentsOf(ledger.view);
      await this.writeDocuments(projections, generations, documents, position, digests);
    } else {
      const frame = await frameOf(this.store, head);
      const view = new LedgerView(frame.groups);
      await forEachInBusinessOrder(
        this.store,
        frame,
        { toPosition: head },
        (event) => view.apply(event),
        (seen) => onProgress?.({ position: Math.min(seen, head), head }),
      );
      position = head;
      await this.writeDocuments(projections, generations, documentsOf(view), position, digests);
    }
    for (const projection of projections) await this.readModels.activate(projection, generations.get(projection)!);
    this.ledger = null; // re-warmed from the new checkpoints on next use
    const ordered = new Map(PROJECTIONS.filter((p) => digests.has(p)).map((p) => [p, digests.get(p)!]));
    return { position, digests: ordered, digest: combinedDigest(ordered) };
  }

  private async writeDocuments(
    projections: readonly ProjectionName[],
    generations: Map<ProjectionName, number>,
    documents: Map<ProjectionName, Map<string, unknown>>,
    position: number,
    digests: Map<ProjectionName, string>,
  ): Promise<void> {
    const writes: ProjectionWrite[] = [];
    for (const projection of projections) {
      const docs = documents.get(projection);
      if (!docs) continue;
      const digest = digestOf(Object.fromEntries(docs));
      digests.set(projection, digest);
      writes.push({ projection, generation: generations.get(projection)!, position, digest, documents: docs });
    }
    await this.readModels.flush(writes);
  }

  /** The in-memory ledger, as it was at the lowest checkpoint: one pass in business order. */
  private async start(): Promise<void> {
    this.states = await this.readModels.states();
    const from = Math.min(...PROJECTIONS.map((p) => this.states.get(p)?.position ?? 0));
    const frame = await frameOf(this.store, from);
    const ledger = new LiveLedger(frame.groups);
    if (from > 0) {
      const latest = await forEachInBusinessOrder(this.store, frame, { toPosition: from }, (event) => ledger.warm(event));
      if (latest) ledger.setFrontier(latest.occurredKey, latest.occurredAt);
    }
    this.ledger = ledger;
    this.position = from;
    this.pending = [];
  }

  private async apply(events: readonly StoredEvent[], ledger: LiveLedger, restated: (restatement: Restatement) => void): Promise<void> {
    const targets = new Map<string, ViewEvent>();
    const targetIds = events.flatMap((e) => (e.type === 'EventReversed' ? [(e.data as { reversedEventId: string }).reversedEventId] : []));
    if (targetIds.length > 0) for (const target of await this.store.findEvents(targetIds)) targets.set(target.eventId, viewEventOf(target));
    for (const stored of events) {
      const viewEvent = viewEventOf(stored);
      const target =
        viewEvent.event.type === 'EventReversed' ? targets.get(eventKey(viewEvent.event.data.reversedEventId)) : undefined;
      const restatement = ledger.apply(viewEvent, target);
      if (restatement) restated(restatement);
    }
    if (ledger === this.ledger) this.position = events[events.length - 1].position;
  }

  /** Writes what changed since the checkpoints, for every projection behind the ledger. */
  private async flush(): Promise<void> {
    const behind = PROJECTIONS.filter((p) => (this.states.get(p)?.position ?? -1) < this.position);
    if (behind.length === 0) return;
    const documents = documentsOf(this.ledger!.view);
    const writes: ProjectionWrite[] = behind.map((projection) => {
      const state = this.states.get(projection);
      const generation = state?.generation ?? 1;
      if (projection === 'restatements') {
        let digest = state?.digest ?? EMPTY_DIGEST;
        for (const restatement of this.pending) digest = chainDigest(digest, restatement);
        return { projection, generation, position: this.position, digest, restatements: this.pending };
      }
      const docs = documents.get(projection)!;
      return { projection, generation, position: this.position, digest: digestOf(Object.fromEntries(docs)), documents: docs };
    });
    await this.readModels.flush(writes);
    for (const write of writes) this.states.set(write.projection, { generation: write.generation, position: write.position, digest: write.digest });
    this.pending = [];
  }
}

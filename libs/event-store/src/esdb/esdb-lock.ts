import { randomUUID } from 'node:crypto';
import { EventStoreError, EventStoreErrorCode } from '../event-store.errors';
import { EsdbConflict } from './esdb-errors';
import type { StoreHead } from '../event-store.port';
import type { EsdbGateway, EsdbResolved } from './esdb-gateway';

export const LOCK_EVENT_TYPE = 'capflow.append-lock';

/** The append lock as its stream's last event says. */
export interface LockState {
  /** Revision of that event; -1: the lock stream does not exist yet. */
  revision: bigint;
  held: boolean;
  owner: string | null;
  /** Until when (epoch ms, the holder's clock) the holder's lease runs. */
  until: number;
  /** Every position up to this one has its links (entity streams, dedup index). */
  indexed: number;
  /**
   * The log's head as the last writer left it: a record of the head apart from the log itself (as
   * the SQL stores' store_head row), so a log that lost its last events does not verify.
   */
  head: StoreHead | null;
}

export function lockStateOf(last: EsdbResolved | undefined): LockState {
  const event = last?.event;
  if (!event) return { revision: -1n, held: false, owner: null, until: 0, indexed: 0, head: null };
  const data = (event.data ?? {}) as { held?: unknown; owner?: unknown; until?: unknown; indexed?: unknown; head?: Partial<StoreHead> };
  const head = data.head;
  return {
    revision: event.revision,
    held: data.held === true,
    owner: typeof data.owner === 'string' ? data.owner : null,
    until: typeof data.until === 'number' ? data.until : 0,
    indexed: Number.isSafeInteger(data.indexed) && (data.indexed as number) >= 0 ? (data.indexed as number) : 0,
    head:
      head && Number.isSafeInteger(head.position) && typeof head.hash === 'string' && typeof head.recordedAt === 'string'
        ? { position: head.position!, hash: head.hash, recordedAt: head.recordedAt }
        : null,
  };
}

/** The lock stream's record of the head (null before the first append). */
export async function recordedHead(gateway: EsdbGateway, stream: string): Promise<StoreHead | null> {
  const [last] = await gateway.read(stream, { from: 'end', backwards: true, count: 1 });
  return lockStateOf(last).head;
}

/** Free, or held by a lease that ran out (its holder died or lost the server). */
export function isTakeable(state: LockState, now: number): boolean {
  return !state.held || state.until <= now;
}

export interface AppendLockOptions {
  /** A lease lasts this long unless renewed (every third of it while held). */
  leaseMs?: number;
  /** Waiting for the lock longer than this fails with store_unavailable. */
  waitMs?: number;
  /** Longest pause between two looks at a held lock. */
  maxPollMs?: number;
  now?: () => number;
}

/**
 * The store's append lock, kept in EventStoreDB: a lease in the `capflow-lock` stream, taken and
 * given back by appending to that stream under the exact revision of its last event, so of two
 * processes that saw the lock free only one gets it. A holder renews its lease while it works; a
 * lease that ran out (the holder was killed) may be taken by the next writer.
 *
 * The lease gives writers turns; it is not what keeps the log consistent. A holder that lost its
 * lease (paused longer than the lease) still cannot corrupt anything: it appends to capflow-log
 * under the exact revision it read when it took the lock, which fails if anyone appended since.
 */
export class EsdbAppendLock {
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly maxPollMs: number;
  private readonly now: () => number;

  constructor(
    private readonly gateway: EsdbGateway,
    private readonly stream: string,
    options: AppendLockOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 10_000;
    this.waitMs = options.waitMs ?? 60_000;
    this.maxPollMs = options.maxPollMs ?? 50;
    this.now = options.now ?? Date.now;
  }

  async acquire(): Promise<Lease> {
    const owner = randomUUID();
    const deadline = this.now() + this.waitMs;
    let holder: string | null = null;
    for (let attempt = 0; ; attempt++) {
      const [last] = await this.gateway.read(this.stream, { from: 'end', backwards: true, count: 1 });
      const state = lockStateOf(last);
      if (isTakeable(state, this.now())) {
        try {
          const outcome = await this.gateway.append(
            this.stream,
            [lockEvent({ held: true, owner, until: this.now() + this.leaseMs, indexed: state.indexed, head: state.head })],
            state.revision < 0n ? 'no_stream' : state.revision,
          );
          return new Lease(this.gateway, this.stream, owner, outcome.nextRevision, state, this.leaseMs, this.now);
        } catch (error) {
          if (!(error instanceof EsdbConflict)) throw error;
          continue; // another writer took it first: look again
        }
      }
      holder = state.owner;
      if (this.now() > deadline) {
        throw new EventStoreError(
          EventStoreErrorCode.StoreUnavailable,
          `the EventStoreDB append lock stayed held by another writer (${holder}) for ${Math.round(this.waitMs / 1000)} s`,
        );
      }
      // holders keep the lock for one append: poll often at first, then back off a little
      await sleep(Math.min(this.maxPollMs, 1 + attempt * 2) * (0.5 + Math.random()));
    }
  }
}

/** A held lease: renewed in the background until released. */
export class Lease {
  private lost = false;
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> = Promise.resolve();
  private released = false;

  constructor(
    private readonly gateway: EsdbGateway,
    private readonly stream: string,
    readonly owner: string,
    private revision: bigint,
    /** The lock stream when this lease was taken: links complete up to `indexed`, the recorded head. */
    readonly taken: Pick<LockState, 'indexed' | 'head'>,
    private readonly leaseMs: number,
    private readonly now: () => number,
  ) {
    this.timer = setInterval(() => {
      this.renewing = this.renewing.then(() => this.renew());
    }, Math.max(1, Math.floor(leaseMs / 3)));
    this.timer.unref();
  }

  /** False once a renewal found the lock taken by someone else. */
  get held(): boolean {
    return !this.lost && !this.released;
  }

  private async renew(): Promise<void> {
    if (!this.held) return;
    try {
      const outcome = await this.gateway.append(
        this.stream,
        [lockEvent({ held: true, owner: this.owner, until: this.now() + this.leaseMs, ...this.taken })],
        this.revision,
      );
      this.revision = outcome.nextRevision;
    } catch (error) {
      if (error instanceof EsdbConflict) this.lost = true;
      // a failed renewal otherwise: the next one tries again; the log's exact revision protects the commit
    }
  }

  /** Gives the lock back, recording the head and that positions up to `indexed` have their links. Never throws. */
  async release(indexed: number, head: StoreHead | null): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    if (this.released) return;
    this.released = true;
    if (this.lost) return;
    try {
      await this.gateway.append(this.stream, [lockEvent({ held: false, owner: this.owner, until: 0, indexed, head })], this.revision);
    } catch {
      // lost, or the server went away: the lease runs out by itself and the next holder repairs the links
    }
  }
}

function lockEvent(data: { held: boolean; owner: string; until: number; indexed: number; head: StoreHead | null }) {
  return { kind: 'json' as const, id: randomUUID(), type: LOCK_EVENT_TYPE, data };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

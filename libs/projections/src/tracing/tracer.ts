import type { CurrencyCode } from '@capflow/contracts';
import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';
import type { InvestmentInfo, Registry } from '../view/registry';

export type Policy = 'fifo' | 'pro_rata';
export const POLICIES: readonly Policy[] = ['fifo', 'pro_rata'];

/** The fact that moved money, as the trace log cites it. */
export interface FlowRef {
  position: number;
  eventId: string;
  type: string;
  occurredAt: string;
}

/** How money arrived: as revenue (a settlement, a payment) or as capital (an investment). */
export type ArrivalKind = 'revenue' | 'capital';

/** Receives every movement of one investment's tagged money, for its trace log. */
export interface FlowSink {
  /** The investment traced. */
  readonly investmentId: string;
  tagged(policy: Policy, flow: FlowRef, fromId: string, toId: string, amount: bigint, closed: boolean): void;
}

/** Cash pools per party and currency under one attribution policy (TRACING.md). */
export interface CashTracer {
  readonly policy: Policy;
  openingBalance(partyId: string, currency: CurrencyCode, amount: bigint): void;
  /** InvestmentFunded: money leaves the investor, arrives at the investee as capital, tagged with the investment. */
  fund(investment: InvestmentInfo, amount: bigint, flow: FlowRef): void;
  /**
   * A settlement in cash or a payment: money leaves `fromId`, arrives at `toId` as revenue.
   * Returns the returnedCash it added, summed over the tags it closed (circular revenue).
   */
  pay(fromId: string, toId: string, currency: CurrencyCode, amount: bigint, flow: FlowRef): bigint;
  returned(investmentId: string): { cash: bigint; capital: bigint };
  /** Where each investment's tagged money is now: investment → party → amount. */
  holdings(): Map<string, Map<string, bigint>>;
}


let lastEpoch = 0;

/**
 * A tracer's pools, copied on write: a save takes the map of pools as it is (no pool copied), and
 * a pool shared with a save is copied the first time it changes after it. So a save costs the
 * pools that change before the next one, not every pool. Epochs are global so that no pool of a
 * save is ever written in place, whichever tracer restores it.
 */
export class Copies<P extends { epoch: number; clone(): P }> {
  /** currency → party → pool: no key string made per move. */
  private pools = new Map<CurrencyCode, Map<string, P>>();
  private epoch = ++lastEpoch;

  /** The pool of `partyId` in `currency`, to change: made by `make` if new, copied if a save shares it. */
  writable(partyId: string, currency: CurrencyCode, make: () => P): P {
    let parties = this.pools.get(currency);
    if (!parties) this.pools.set(currency, (parties = new Map()));
    let pool = parties.get(partyId);
    if (!pool) {
      pool = make();
      pool.epoch = this.epoch;
      parties.set(partyId, pool);
    } else if (pool.epoch !== this.epoch) {
      pool = pool.clone();
      pool.epoch = this.epoch;
      parties.set(partyId, pool);
    }
    return pool;
  }

  /** Every pool, to read. */
  forEach(each: (pool: P, partyId: string) => void): void {
    for (const parties of this.pools.values()) parties.forEach(each);
  }

  save(): SavedPools<P> {
    this.epoch = ++lastEpoch;
    return new Map([...this.pools].map(([currency, parties]) => [currency, new Map(parties)]));
  }

  restore(saved: SavedPools<P>): void {
    this.pools = new Map([...saved].map(([currency, parties]) => [currency, new Map(parties)]));
    this.epoch = ++lastEpoch;
  }

  snapshot(w: SnapshotWriter, write: (pool: P) => void): void {
    w.num(this.pools.size);
    for (const [currency, parties] of this.pools) {
      w.str(currency);
      w.num(parties.size);
      for (const [partyId, pool] of parties) {
        w.str(partyId);
        write(pool);
      }
    }
  }

  /** Fills empty pools from a snapshot. */
  restoreSnapshot(r: SnapshotReader, read: () => P): void {
    for (let n = r.count(); n > 0; n--) {
      const parties = new Map<string, P>();
      this.pools.set(r.str() as CurrencyCode, parties);
      for (let m = r.count(); m > 0; m--) {
        const partyId = r.str();
        const pool = read();
        pool.epoch = this.epoch;
        parties.set(partyId, pool);
      }
    }
  }
}

export type SavedPools<P> = ReadonlyMap<CurrencyCode, ReadonlyMap<string, P>>;

/** Returned amounts per investment (by tag), as revenue (cash) and as capital, shared by both tracers. */
export class ReturnLedger {
  private cash: bigint[] = [];
  private capital: bigint[] = [];

  add(kind: ArrivalKind, tag: number, amount: bigint): void {
    const sums = kind === 'revenue' ? this.cash : this.capital;
    sums[tag] = (sums[tag] ?? 0n) + amount;
  }

  of(tag: number): { cash: bigint; capital: bigint } {
    if (tag < 0) return { cash: 0n, capital: 0n };
    return { cash: this.cash[tag] ?? 0n, capital: this.capital[tag] ?? 0n };
  }

  snapshot(w: SnapshotWriter): void {
    for (const sums of [this.cash, this.capital]) {
      w.num(sums.length);
      for (let tag = 0; tag < sums.length; tag++) w.big(sums[tag] ?? 0n);
    }
  }

  restoreSnapshot(r: SnapshotReader): void {
    for (const sums of [this.cash, this.capital]) for (let n = r.count(), tag = 0; tag < n; tag++) sums[tag] = r.big();
  }

  clone(): ReturnLedger {
    const copy = new ReturnLedger();
    copy.cash = this.cash.slice();
    copy.capital = this.capital.slice();
    return copy;
  }
}

/** Which tag, if any, a tracer reports to its sink: the traced investment's, once it is registered. */
export class TraceTarget {
  private tag = -1;

  constructor(
    private readonly registry: Registry,
    private readonly sink: FlowSink | null,
  ) {}

  is(tag: number): boolean {
    return tag === this.traced();
  }

  /** The traced tag, -1 while there is none (hoisted out of the loops over a pool's tags). */
  traced(): number {
    if (this.sink === null) return -1;
    if (this.tag < 0) this.tag = this.registry.investmentIndexOf(this.sink.investmentId);
    return this.tag;
  }
}

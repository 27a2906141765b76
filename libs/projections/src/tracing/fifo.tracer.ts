import type { CurrencyCode } from '@capflow/contracts';
import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';
import type { InvestmentInfo, Registry } from '../view/registry';
import { ArrivalKind, CashTracer, Copies, FlowRef, FlowSink, ReturnLedger, SavedPools, TraceTarget } from './tracer';

/** A set of tags (investments' indexes, ascending), interned: one object per distinct set, so sets compare by identity. */
interface TagSet {
  readonly key: string;
  readonly tags: readonly number[];
}

interface Lot {
  tags: TagSet;
  amount: bigint;
}

/** Oldest lot first; a head index instead of shift(), which is O(n). */
class LotQueue {
  lots: Lot[] = [];
  head = 0;
  /** See Copies. */
  epoch = 0;

  get isEmpty(): boolean {
    return this.head >= this.lots.length;
  }

  /** Adjacent lots with the same tags merge: taking from them gives the same pieces, summed. */
  push(tags: TagSet, amount: bigint): void {
    const last = this.lots.length > this.head ? this.lots[this.lots.length - 1] : undefined;
    if (last && last.tags === tags) last.amount += amount;
    else this.lots.push({ tags, amount });
  }

  clone(): LotQueue {
    const copy = new LotQueue();
    for (let i = this.head; i < this.lots.length; i++) copy.lots.push({ tags: this.lots[i].tags, amount: this.lots[i].amount });
    return copy;
  }

  compact(): void {
    if (this.head > 64 && this.head * 2 > this.lots.length) {
      this.lots = this.lots.slice(this.head);
      this.head = 0;
    }
  }
}

const newQueue = () => new LotQueue();

const NO_TAGS: TagSet = { key: '', tags: [] };

export interface FifoState {
  readonly pools: SavedPools<LotQueue>;
  readonly returns: ReturnLedger;
}

/**
 * fifo (TRACING.md): each pool is a queue of lots; an outflow takes the oldest lots first,
 * splitting the last; a pool that runs dry pays the rest with untraced money.
 */
export class FifoTracer implements CashTracer {
  readonly policy = 'fifo' as const;
  private readonly pools = new Copies<LotQueue>();
  private readonly tagSets = new Map<string, TagSet>([['', NO_TAGS]]);
  private returns = new ReturnLedger();
  private readonly trace: TraceTarget;

  constructor(
    private readonly registry: Registry,
    private readonly sink: FlowSink | null,
  ) {
    this.trace = new TraceTarget(registry, sink);
  }

  openingBalance(partyId: string, currency: CurrencyCode, amount: bigint): void {
    this.pool(partyId, currency).push(NO_TAGS, amount);
  }

  fund(investment: InvestmentInfo, amount: bigint, flow: FlowRef): void {
    const pieces = this.take(investment.investorId, investment.currency, amount);
    const tagged = pieces.map((piece) => ({ tags: this.withTag(piece.tags, investment.index), amount: piece.amount }));
    this.arrive(investment.investorId, investment.investeeId, investment.currency, tagged, 'capital', flow);
  }

  pay(fromId: string, toId: string, currency: CurrencyCode, amount: bigint, flow: FlowRef): bigint {
    return this.arrive(fromId, toId, currency, this.take(fromId, currency, amount), 'revenue', flow);
  }

  returned(investmentId: string) {
    return this.returns.of(this.registry.investmentIndexOf(investmentId));
  }

  /** The pools and returns as they are, to go back to later (see restore); copied on write. */
  save(): FifoState {
    return { pools: this.pools.save(), returns: this.returns.clone() };
  }

  restore(state: FifoState): void {
    this.pools.restore(state.pools);
    this.returns = state.returns.clone();
  }

  /** The tag sets the lots carry (a table), then the lots, then the returns. */
  snapshot(w: SnapshotWriter): void {
    const sets = new Map<TagSet, number>([[NO_TAGS, 0]]);
    this.pools.forEach((queue) => {
      for (let i = queue.head; i < queue.lots.length; i++) if (!sets.has(queue.lots[i].tags)) sets.set(queue.lots[i].tags, sets.size);
    });
    w.num(sets.size);
    for (const set of sets.keys()) w.i32s(Int32Array.from(set.tags));
    this.pools.snapshot(w, (queue) => {
      w.num(queue.lots.length - queue.head);
      for (let i = queue.head; i < queue.lots.length; i++) {
        w.num(sets.get(queue.lots[i].tags)!);
        w.big(queue.lots[i].amount);
      }
    });
    this.returns.snapshot(w);
  }

  restoreSnapshot(r: SnapshotReader): void {
    const sets: TagSet[] = [];
    for (let n = r.count(); n > 0; n--) sets.push(this.intern(Array.from(r.i32s())));
    this.pools.restoreSnapshot(r, () => {
      const queue = new LotQueue();
      for (let n = r.count(); n > 0; n--) {
        const tags = sets[r.num()];
        if (!tags) throw new Error('snapshot holds a lot of a tag set it does not list');
        queue.lots.push({ tags, amount: r.big() });
      }
      return queue;
    });
    this.returns.restoreSnapshot(r);
  }

  holdings(): Map<string, Map<string, bigint>> {
    const result = new Map<string, Map<string, bigint>>();
    this.pools.forEach((queue, partyId) => {
      for (let i = queue.head; i < queue.lots.length; i++) {
        const lot = queue.lots[i];
        for (const tag of lot.tags.tags) {
          const investmentId = this.registry.investmentAt(tag).investmentId;
          let parties = result.get(investmentId);
          if (!parties) result.set(investmentId, (parties = new Map()));
          parties.set(partyId, (parties.get(partyId) ?? 0n) + lot.amount);
        }
      }
    });
    return result;
  }

  private pool(partyId: string, currency: CurrencyCode): LotQueue {
    return this.pools.writable(partyId, currency, newQueue);
  }

  /** Pieces of `amount`, oldest first; what the pool lacks comes out untraced. */
  private take(partyId: string, currency: CurrencyCode, amount: bigint): Lot[] {
    const queue = this.pool(partyId, currency);
    const pieces: Lot[] = [];
    let left = amount;
    while (left > 0n && !queue.isEmpty) {
      const lot = queue.lots[queue.head];
      if (lot.amount <= left) {
        pieces.push(lot);
        left -= lot.amount;
        queue.head += 1;
      } else {
        pieces.push({ tags: lot.tags, amount: left });
        lot.amount -= left;
        left = 0n;
      }
    }
    queue.compact();
    if (left > 0n) pieces.push({ tags: NO_TAGS, amount: left });
    return pieces;
  }

  /** Returns the amount returned (summed over the tags closed). */
  private arrive(fromId: string, toId: string, currency: CurrencyCode, pieces: Lot[], kind: ArrivalKind, flow: FlowRef): bigint {
    let returned = 0n;
    const receiverGroup = this.registry.groupNumberOf(toId);
    const groups = this.registry.investorGroupNumbers;
    const traced = this.trace.traced();
    const queue = this.pool(toId, currency);
    for (const piece of pieces) {
      let kept: TagSet = piece.tags;
      if (piece.tags.tags.length > 0) {
        let open: number[] | null = null;
        const tags = piece.tags.tags;
        for (let i = 0; i < tags.length; i++) {
          const tag = tags[i];
          const closed = groups[tag] === receiverGroup;
          if (closed) {
            this.returns.add(kind, tag, piece.amount);
            returned += piece.amount;
            open ??= tags.slice(0, i);
          } else open?.push(tag);
          if (tag === traced) this.sink!.tagged('fifo', flow, fromId, toId, piece.amount, closed);
        }
        if (open) kept = this.intern(open);
      }
      queue.push(kept, piece.amount);
    }
    return returned;
  }

  private withTag(set: TagSet, tag: number): TagSet {
    return set.tags.includes(tag) ? set : this.intern([...set.tags, tag].sort((a, b) => a - b));
  }

  private intern(sortedTags: number[]): TagSet {
    const key = sortedTags.join(' ');
    let set = this.tagSets.get(key);
    if (!set) this.tagSets.set(key, (set = { key, tags: sortedTags }));
    return set;
  }
}

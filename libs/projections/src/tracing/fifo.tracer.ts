import type { CurrencyCode } from '@capflow/contracts';
import type { InvestmentInfo, Registry } from '../view/registry';
import { ArrivalKind, CashTracer, closesAt, FlowRef, FlowSink, partyOfPool, poolKey, ReturnLedger } from './tracer';
import type { UndoJournal } from './undo-journal';

/** A set of tags, interned: one object per distinct set, so sets compare by identity. */
interface TagSet {
  readonly key: string;
  readonly tags: readonly string[];
}

interface Lot {
  tags: TagSet;
  amount: bigint;
}

/** Oldest lot first; a head index instead of shift(), which is O(n). */
class LotQueue {
  lots: Lot[] = [];
  head = 0;

  get isEmpty(): boolean {
    return this.head >= this.lots.length;
  }

  /** Adjacent lots with the same tags merge: taking from them gives the same pieces, summed. */
  push(tags: TagSet, amount: bigint, journal: UndoJournal): void {
    const last = this.lots.length > this.head ? this.lots[this.lots.length - 1] : undefined;
    if (last && last.tags === tags) {
      last.amount += amount;
      if (journal.enabled) journal.record(() => (last.amount -= amount));
    } else {
      this.lots.push({ tags, amount });
      if (journal.enabled) journal.record(() => this.lots.pop());
    }
  }

  /** Puts lots taken from the front back, oldest first (undoing a take). */
  unshift(lots: Lot[]): void {
    const start = this.head - lots.length;
    if (start >= 0 && lots.every((lot, i) => this.lots[start + i] === lot)) this.head = start;
    else {
      this.lots = [...lots, ...this.lots.slice(this.head)];
      this.head = 0;
    }
  }

  compact(): void {
    if (this.head > 64 && this.head * 2 > this.lots.length) {
      this.lots = this.lots.slice(this.head);
      this.head = 0;
    }
  }
}

const NO_TAGS: TagSet = { key: '', tags: [] };

/**
 * fifo (TRACING.md): each pool is a queue of lots; an outflow takes the oldest lots first,
 * splitting the last; a pool that runs dry pays the rest with untraced money.
 */
export class FifoTracer implements CashTracer {
  readonly policy = 'fifo' as const;
  private readonly pools = new Map<string, LotQueue>();
  private readonly tagSets = new Map<string, TagSet>([['', NO_TAGS]]);
  private readonly returns: ReturnLedger;

  constructor(
    private readonly registry: Registry,
    private readonly sink: FlowSink,
    private readonly journal: UndoJournal,
  ) {
    this.returns = new ReturnLedger(journal);
  }

  openingBalance(partyId: string, currency: CurrencyCode, amount: bigint): void {
    this.pool(poolKey(partyId, currency)).push(NO_TAGS, amount, this.journal);
  }

  fund(investment: InvestmentInfo, amount: bigint, flow: FlowRef): void {
    const pieces = this.take(poolKey(investment.investorId, investment.currency), amount);
    const tagged = pieces.map((piece) => ({ tags: this.withTag(piece.tags, investment.investmentId), amount: piece.amount }));
    this.arrive(investment.investorId, investment.investeeId, investment.currency, tagged, 'capital', flow);
  }

  pay(fromId: string, toId: string, currency: CurrencyCode, amount: bigint, flow: FlowRef): void {
    this.arrive(fromId, toId, currency, this.take(poolKey(fromId, currency), amount), 'revenue', flow);
  }

  returned(investmentId: string) {
    return this.returns.of(investmentId);
  }

  holdings(): Map<string, Map<string, bigint>> {
    const result = new Map<string, Map<string, bigint>>();
    for (const [key, queue] of this.pools) {
      const partyId = partyOfPool(key);
      for (let i = queue.head; i < queue.lots.length; i++) {
        const lot = queue.lots[i];
        for (const tag of lot.tags.tags) {
          let parties = result.get(tag);
          if (!parties) result.set(tag, (parties = new Map()));
          parties.set(partyId, (parties.get(partyId) ?? 0n) + lot.amount);
        }
      }
    }
    return result;
  }

  private pool(key: string): LotQueue {
    let queue = this.pools.get(key);
    if (!queue) this.pools.set(key, (queue = new LotQueue()));
    return queue;
  }

  /** Pieces of `amount`, oldest first; what the pool lacks comes out untraced. */
  private take(key: string, amount: bigint): Lot[] {
    const queue = this.pool(key);
    const pieces: Lot[] = [];
    const consumed: Lot[] = [];
    let split: { lot: Lot; taken: bigint } | null = null;
    let left = amount;
    while (left > 0n && !queue.isEmpty) {
      const lot = queue.lots[queue.head];
      if (lot.amount <= left) {
        // the lot leaves whole; a copy goes on, so the queued object stays as it was for an undo
        pieces.push({ tags: lot.tags, amount: lot.amount });
        consumed.push(lot);
        left -= lot.amount;
        queue.head += 1;
      } else {
        pieces.push({ tags: lot.tags, amount: left });
        lot.amount -= left;
        split = { lot, taken: left };
        left = 0n;
      }
    }
    if (this.journal.enabled && (consumed.length > 0 || split)) {
      this.journal.record(() => {
        if (split) split.lot.amount += split.taken;
        if (consumed.length > 0) queue.unshift(consumed);
      });
    }
    queue.compact();
    if (left > 0n) pieces.push({ tags: NO_TAGS, amount: left });
    return pieces;
  }

  private arrive(fromId: string, toId: string, currency: CurrencyCode, pieces: Lot[], kind: ArrivalKind, flow: FlowRef): void {
    const receiverGroup = this.registry.groupOf(toId);
    const queue = this.pool(poolKey(toId, currency));
    for (const piece of pieces) {
      let kept: TagSet = piece.tags;
      if (piece.tags.tags.length > 0) {
        const open: string[] = [];
        for (const tag of piece.tags.tags) {
          const closed = closesAt(this.registry, tag, receiverGroup);
          if (closed) this.returns.add(kind, tag, piece.amount);
          else open.push(tag);
          this.sink.tagged('fifo', tag, flow, fromId, toId, piece.amount, closed);
        }
        if (open.length !== piece.tags.tags.length) kept = this.intern(open);
      }
      queue.push(kept, piece.amount, this.journal);
    }
  }

  private withTag(set: TagSet, tag: string): TagSet {
    return set.tags.includes(tag) ? set : this.intern([...set.tags, tag].sort());
  }

  private intern(sortedTags: string[]): TagSet {
    const key = sortedTags.join(' ');
    let set = this.tagSets.get(key);
    if (!set) this.tagSets.set(key, (set = { key, tags: sortedTags }));
    return set;
  }
}

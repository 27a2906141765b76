/**
 * A direct, unoptimised reading of TRACING.md, written for the property tests from the contract
 * alone: one cash pool per party and currency; under fifo a queue of lots (never merged), under
 * pro_rata a total T and the amount a_t carrying each tag. The caller applies facts in business
 * order and leaves out reversed facts and reversals.
 */
import type { CapflowEvent, CurrencyCode } from '@capflow/contracts';
import { parseAmount } from '@capflow/ledger';
import type { ViewEvent } from '@capflow/projections';

const minor = (money: { amount: string; currency: CurrencyCode }) => parseAmount(money.amount, money.currency);

type Policy = 'fifo' | 'pro_rata';
type Kind = 'revenue' | 'capital';

interface Lot {
  tags: ReadonlySet<string>;
  amount: bigint;
}

/** What one fact does to the pools: `amount` leaves `from`'s pool and arrives at `to`'s. */
export interface ReferenceMove {
  kind: 'opening' | 'fund' | 'pay';
  from: string;
  to: string;
  currency: CurrencyCode;
  amount: bigint;
  investmentId: string | null;
  /** pro_rata: take_t of every tag, as the haircut rule gives it. */
  takes: Map<string, bigint>;
  /** pro_rata: T of the paying pool just before the outflow. */
  totalBefore: bigint;
}

export class ReferencePools {
  private readonly groups = new Map<string, string>();
  private readonly investments = new Map<
    string,
    { investorId: string; investeeId: string; investorGroup: string; currency: CurrencyCode }
  >();
  private readonly invoices = new Map<string, { providerId: string; customerId: string }>();
  private readonly fifo = new Map<string, Lot[]>();
  private readonly proRata = new Map<string, { total: bigint; tags: Map<string, bigint> }>();
  private readonly returns: Record<Policy, Map<string, { cash: bigint; capital: bigint }>> = { fifo: new Map(), pro_rata: new Map() };
  readonly fundedCash = new Map<string, bigint>();

  /** `allKnown`: every known event in file order, for the entities (registrations are permanent). */
  constructor(allKnown: readonly ViewEvent[]) {
    for (const { event } of [...allKnown].sort((a, b) => a.position - b.position)) {
      if (event.type === 'PartyRegistered') {
        const parent = event.data.parentId;
        this.groups.set(event.data.partyId, parent === undefined ? event.data.partyId : this.groupOf(parent));
      } else if (event.type === 'InvestmentCommitted') {
        const d = event.data;
        this.investments.set(d.investmentId, {
          investorId: d.investorId,
          investeeId: d.investeeId,
          investorGroup: this.groupOf(d.investorId),
          currency: d.amount.currency,
        });
      } else if (event.type === 'UsageBilled') {
        this.invoices.set(event.data.invoiceId, { providerId: event.data.providerId, customerId: event.data.customerId });
      }
    }
  }

  groupOf(partyId: string): string {
    return this.groups.get(partyId) ?? partyId;
  }

  currencyOf(investmentId: string): CurrencyCode {
    return this.investments.get(investmentId)!.currency;
  }

  /** The pools' move for a fact, or null for a fact that moves no cash. */
  moveOf(event: CapflowEvent): Omit<ReferenceMove, 'takes' | 'totalBefore'> | null {
    switch (event.type) {
      case 'OpeningBalanceRecorded':
        return {
          kind: 'opening',
          from: event.data.partyId,
          to: event.data.partyId,
          currency: event.data.amount.currency,
          amount: minor(event.data.amount),
          investmentId: null,
        };
      case 'InvestmentFunded': {
        const investment = this.investments.get(event.data.investmentId)!;
        return {
          kind: 'fund',
          from: investment.investorId,
          to: investment.investeeId,
          currency: event.data.amount.currency,
          amount: minor(event.data.amount),
          investmentId: event.data.investmentId,
        };
      }
      case 'InvoiceSettled': {
        if (event.data.method !== 'cash') return null;
        const invoice = this.invoices.get(event.data.invoiceId)!;
        return {
          kind: 'pay',
          from: invoice.customerId,
          to: invoice.providerId,
          currency: event.data.amount.currency,
          amount: minor(event.data.amount),
          investmentId: null,
        };
      }
      case 'PaymentMade':
        return {
          kind: 'pay',
          from: event.data.payerId,
          to: event.data.payeeId,
          currency: event.data.amount.currency,
          amount: minor(event.data.amount),
          investmentId: null,
        };
      default:
        return null;
    }
  }

  /** Applies one fact (business order, not reversed); returns its move, if it moves cash. */
  apply(event: CapflowEvent): ReferenceMove | null {
    const base = this.moveOf(event);
    if (!base) return null;
    const { from, to, currency, amount } = base;
    const key = (party: string) => `${currency} ${party}`;
    const proRataPool = (party: string) => {
      let pool = this.proRata.get(key(party));
      if (!pool) this.proRata.set(key(party), (pool = { total: 0n, tags: new Map() }));
      return pool;
    };
    const fifoQueue = (party: string) => {
      let queue = this.fifo.get(key(party));
      if (!queue) this.fifo.set(key(party), (queue = []));
      return queue;
    };
    const receiverGroup = this.groupOf(to);
    const closes = (tag: string) => this.investments.get(tag)!.investorGroup === receiverGroup;
    const arrivalKind: Kind = base.kind === 'fund' ? 'capital' : 'revenue';

    if (base.kind === 'opening') {
      fifoQueue(to).push({ tags: new Set(), amount });
      proRataPool(to).total += amount;
      return { ...base, takes: new Map(), totalBefore: 0n };
    }

    // fifo: take(from, A), oldest first, the rest untraced; then arrive(to, pieces)
    const queue = fifoQueue(from);
    const pieces: Lot[] = [];
    let left = amount;
    while (left > 0n && queue.length > 0) {
      const lot = queue[0];
      if (lot.amount <= left) {
        pieces.push(lot);
        queue.shift();
        left -= lot.amount;
      } else {
        pieces.push({ tags: lot.tags, amount: left });
        queue[0] = { tags: lot.tags, amount: lot.amount - left };
        left = 0n;
      }
    }
    if (left > 0n) pieces.push({ tags: new Set(), amount: left });
    const receiving = fifoQueue(to);
    for (const piece of pieces) {
      const tags = new Set(piece.tags);
      if (base.investmentId !== null) tags.add(base.investmentId);
      for (const tag of [...tags]) {
        if (closes(tag)) {
          this.addReturn('fifo', arrivalKind, tag, piece.amount);
          tags.delete(tag);
        }
      }
      receiving.push({ tags, amount: piece.amount });
    }

    // pro_rata: the haircut rule
    const paying = proRataPool(from);
    const total = paying.total;
    const takes = new Map<string, bigint>();
    for (const [tag, held] of paying.tags) {
      const take = amount < total ? (2n * amount * held + total) / (2n * total) : held;
      takes.set(tag, take);
    }
    for (const [tag, take] of takes) {
      const rest = paying.tags.get(tag)! - take;
      if (rest === 0n) paying.tags.delete(tag);
      else paying.tags.set(tag, rest);
    }
    paying.total = total > amount ? total - amount : 0n;
    const arriving = proRataPool(to);
    for (const [tag, take] of takes) {
      if (take === 0n) continue;
      if (closes(tag)) this.addReturn('pro_rata', arrivalKind, tag, take);
      else arriving.tags.set(tag, (arriving.tags.get(tag) ?? 0n) + take);
    }
    arriving.total += amount;
    if (base.investmentId !== null) {
      arriving.tags.set(base.investmentId, (arriving.tags.get(base.investmentId) ?? 0n) + amount);
      this.fundedCash.set(base.investmentId, (this.fundedCash.get(base.investmentId) ?? 0n) + amount);
    }
    return { ...base, takes, totalBefore: total };
  }

  /** T of a pool (the same under both policies: a fifo queue holds T in its lots). */
  total(party: string, currency: CurrencyCode): bigint {
    return this.proRata.get(`${currency} ${party}`)?.total ?? 0n;
  }

  /** investment → party → amount carrying its tag (parties holding none left out). */
  holdings(policy: Policy): Map<string, Map<string, bigint>> {
    const result = new Map<string, Map<string, bigint>>();
    const add = (tag: string, party: string, amount: bigint) => {
      if (amount === 0n) return;
      let parties = result.get(tag);
      if (!parties) result.set(tag, (parties = new Map()));
      parties.set(party, (parties.get(party) ?? 0n) + amount);
    };
    if (policy === 'fifo') {
      for (const [key, queue] of this.fifo) for (const lot of queue) for (const tag of lot.tags) add(tag, key.slice(4), lot.amount);
    } else {
      for (const [key, pool] of this.proRata) for (const [tag, amount] of pool.tags) add(tag, key.slice(4), amount);
    }
    return result;
  }

  returned(policy: Policy, investmentId: string): { cash: bigint; capital: bigint } {
    return this.returns[policy].get(investmentId) ?? { cash: 0n, capital: 0n };
  }

  private addReturn(policy: Policy, kind: Kind, tag: string, amount: bigint): void {
    const entry = this.returns[policy].get(tag) ?? { cash: 0n, capital: 0n };
    if (kind === 'revenue') entry.cash += amount;
    else entry.capital += amount;
    this.returns[policy].set(tag, entry);
  }
}

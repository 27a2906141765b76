import type { CurrencyCode } from '@capflow/contracts';
import type { InvestmentInfo, Registry } from '../view/registry';
import { ArrivalKind, CashTracer, closesAt, FlowRef, FlowSink, partyOfPool, poolKey, ReturnLedger } from './tracer';
import type { UndoJournal } from './undo-journal';

interface Pool {
  /** T: the pool's total, never below 0. */
  total: bigint;
  /** a_t: the part of the pool carrying tag t (0 < a_t ≤ T; zero entries are dropped). */
  tags: Map<string, bigint>;
}

/**
 * pro_rata, the "haircut" rule (TRACING.md): an outflow takes from every tag in proportion to its
 * share of the pool just before it, rounded half up to the minor unit.
 */
export class ProRataTracer implements CashTracer {
  readonly policy = 'pro_rata' as const;
  private readonly pools = new Map<string, Pool>();
  private readonly returns: ReturnLedger;

  constructor(
    private readonly registry: Registry,
    private readonly sink: FlowSink,
    private readonly journal: UndoJournal,
  ) {
    this.returns = new ReturnLedger(journal);
  }

  openingBalance(partyId: string, currency: CurrencyCode, amount: bigint): void {
    const pool = this.pool(poolKey(partyId, currency));
    pool.total += amount;
    if (this.journal.enabled) this.journal.record(() => (pool.total -= amount));
  }

  fund(investment: InvestmentInfo, amount: bigint, flow: FlowRef): void {
    const takes = this.take(poolKey(investment.investorId, investment.currency), amount);
    this.arrive(investment.investorId, investment.investeeId, investment.currency, takes, amount, 'capital', flow);
    const pool = this.pool(poolKey(investment.investeeId, investment.currency));
    this.addTag(pool, investment.investmentId, amount);
    this.sink.tagged('pro_rata', investment.investmentId, flow, investment.investorId, investment.investeeId, amount, false);
  }

  pay(fromId: string, toId: string, currency: CurrencyCode, amount: bigint, flow: FlowRef): void {
    this.arrive(fromId, toId, currency, this.take(poolKey(fromId, currency), amount), amount, 'revenue', flow);
  }

  returned(investmentId: string) {
    return this.returns.of(investmentId);
  }

  holdings(): Map<string, Map<string, bigint>> {
    const result = new Map<string, Map<string, bigint>>();
    for (const [key, pool] of this.pools) {
      const partyId = partyOfPool(key);
      for (const [tag, amount] of pool.tags) {
        let parties = result.get(tag);
        if (!parties) result.set(tag, (parties = new Map()));
        parties.set(partyId, amount);
      }
    }
    return result;
  }

  private pool(key: string): Pool {
    let pool = this.pools.get(key);
    if (!pool) this.pools.set(key, (pool = { total: 0n, tags: new Map() }));
    return pool;
  }

  /** a_t += amount, journalled. */
  private addTag(pool: Pool, tag: string, amount: bigint): void {
    const held = pool.tags.get(tag);
    pool.tags.set(tag, (held ?? 0n) + amount);
    if (this.journal.enabled) this.journal.record(() => (held === undefined ? pool.tags.delete(tag) : pool.tags.set(tag, held)));
  }

  /** take_t = floor((2·A·a_t + T) / (2·T)) when A < T, else a_t. */
  private take(key: string, amount: bigint): Map<string, bigint> {
    const pool = this.pool(key);
    const takes = new Map<string, bigint>();
    const total = pool.total;
    const before: [string, bigint][] = [];
    const share = amount < total ? shareOf(amount, total) : null;
    for (const [tag, held] of pool.tags) {
      const take = share ? share(held) : held;
      if (take === 0n) continue;
      takes.set(tag, take);
      if (this.journal.enabled) before.push([tag, held]);
      if (held === take) pool.tags.delete(tag);
      else pool.tags.set(tag, held - take);
    }
    pool.total = total > amount ? total - amount : 0n;
    if (this.journal.enabled) {
      this.journal.record(() => {
        pool.total = total;
        for (const [tag, held] of before) pool.tags.set(tag, held);
      });
    }
    return takes;
  }

  private arrive(
    fromId: string,
    toId: string,
    currency: CurrencyCode,
    takes: Map<string, bigint>,
    amount: bigint,
    kind: ArrivalKind,
    flow: FlowRef,
  ): void {
    const receiverGroup = this.registry.groupOf(toId);
    const pool = this.pool(poolKey(toId, currency));
    for (const [tag, take] of takes) {
      const closed = closesAt(this.registry, tag, receiverGroup);
      if (closed) this.returns.add(kind, tag, take);
      else this.addTag(pool, tag, take);
      this.sink.tagged('pro_rata', tag, flow, fromId, toId, take, closed);
    }
    pool.total += amount;
    if (this.journal.enabled) this.journal.record(() => (pool.total -= amount));
  }
}

/** Integers up to this convert to and from doubles exactly. */
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** A double estimate of A·a/T this far from a rounding boundary rounds the same as the exact value. */
const MARGIN = 1e-6;

/**
 * The haircut of one outflow: a_t ↦ floor((2·A·a_t + T) / (2·T)), i.e. A·a_t/T rounded half up.
 * Exact, and mostly without BigInt arithmetic, which is what makes pro_rata slow (a busy pool
 * gives a little of every one of its tags at each outflow): the share is estimated in doubles, and
 * computed exactly only when the estimate is near a rounding boundary or the numbers are too large
 * for doubles to carry the error bound (relative error of the estimate below 2^-50, so below
 * 2^-10 in absolute terms while A·a_t/T < 2^40).
 */
function shareOf(amount: bigint, total: bigint): (held: bigint) => bigint {
  const exact = (held: bigint) => (2n * amount * held + total) / (2n * total);
  if (amount > SAFE || total > SAFE) return exact;
  const ratio = Number(amount) / Number(total);
  return (held) => {
    if (held > SAFE) return exact(held);
    const estimate = Number(held) * ratio + 0.5;
    const whole = Math.floor(estimate);
    if (estimate >= 2 ** 40 || estimate - whole < MARGIN || whole + 1 - estimate < MARGIN) return exact(held);
    return BigInt(whole);
  };
}

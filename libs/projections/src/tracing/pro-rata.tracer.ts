import type { CurrencyCode } from '@capflow/contracts';
import type { InvestmentInfo, Registry } from '../view/registry';
import { ProRataPool, Takes } from './pro-rata.pool';
import { ArrivalKind, CashTracer, Copies, FlowRef, FlowSink, partyOfPool, poolKey, ReturnLedger, TraceTarget } from './tracer';

/**
 * pro_rata, the "haircut" rule (TRACING.md): an outflow takes from every tag in proportion to its
 * share of the pool just before it, rounded half up to the minor unit. Tags are investments'
 * indexes in the registry; see ProRataPool for the exact arithmetic.
 */
export class ProRataTracer implements CashTracer {
  readonly policy = 'pro_rata' as const;
  private readonly pools = new Copies(() => new ProRataPool());
  private returns = new ReturnLedger();
  private readonly takes = new Takes();
  private readonly trace: TraceTarget;

  constructor(
    private readonly registry: Registry,
    private readonly sink: FlowSink | null,
  ) {
    this.trace = new TraceTarget(registry, sink);
  }

  openingBalance(partyId: string, currency: CurrencyCode, amount: bigint): void {
    this.pool(poolKey(partyId, currency)).total += amount;
  }

  fund(investment: InvestmentInfo, amount: bigint, flow: FlowRef): void {
    const from = this.pool(poolKey(investment.investorId, investment.currency));
    from.take(amount, this.takes);
    const to = this.pool(poolKey(investment.investeeId, investment.currency));
    this.arrive(investment.investorId, investment.investeeId, to, amount, 'capital', flow);
    to.addBig(investment.index, amount);
    if (this.trace.is(investment.index)) this.sink!.tagged('pro_rata', flow, investment.investorId, investment.investeeId, amount, false);
  }

  pay(fromId: string, toId: string, currency: CurrencyCode, amount: bigint, flow: FlowRef): void {
    this.pool(poolKey(fromId, currency)).take(amount, this.takes);
    this.arrive(fromId, toId, this.pool(poolKey(toId, currency)), amount, 'revenue', flow);
  }

  returned(investmentId: string) {
    return this.returns.of(this.registry.investmentIndexOf(investmentId));
  }

  holdings(): Map<string, Map<string, bigint>> {
    const result = new Map<string, Map<string, bigint>>();
    for (const [key, pool] of this.pools.entries()) {
      const partyId = partyOfPool(key);
      pool.forEachTag((tag, amount) => {
        const investmentId = this.registry.investmentAt(tag).investmentId;
        let parties = result.get(investmentId);
        if (!parties) result.set(investmentId, (parties = new Map()));
        parties.set(partyId, amount);
      });
    }
    return result;
  }

  /** The pools and returns as they are, to go back to later (see restore); copied on write. */
  save(): ProRataState {
    return { pools: this.pools.save(), returns: this.returns.clone() };
  }

  restore(state: ProRataState): void {
    this.pools.restore(state.pools);
    this.returns = state.returns.clone();
  }

  private pool(key: string): ProRataPool {
    return this.pools.writable(key);
  }

  /** The takes in `this.takes` reach `toId`: tags of its group close, the others join its pool. */
  private arrive(fromId: string, toId: string, pool: ProRataPool, amount: bigint, kind: ArrivalKind, flow: FlowRef): void {
    const receiverGroup = this.registry.groupOf(toId);
    const groups = this.registry.investorGroups;
    const { tags, amounts, count } = this.takes;
    for (let i = 0; i < count; i++) {
      const tag = tags[i];
      const take = amounts[i];
      const closed = groups[tag] === receiverGroup;
      if (take === take) {
        if (closed) this.returns.add(kind, tag, take);
        else pool.add(tag, take);
      } else {
        const exact = this.takes.bigs.get(i)!;
        if (closed) this.returns.addBig(kind, tag, exact);
        else pool.addBig(tag, exact);
      }
      if (this.trace.is(tag)) this.sink!.tagged('pro_rata', flow, fromId, toId, this.takes.bigAt(i), closed);
    }
    pool.total += amount;
  }
}

export interface ProRataState {
  readonly pools: ReadonlyMap<string, ProRataPool>;
  readonly returns: ReturnLedger;
}

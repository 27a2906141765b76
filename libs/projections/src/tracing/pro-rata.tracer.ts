import type { CurrencyCode } from '@capflow/contracts';
import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';
import type { InvestmentInfo, Registry } from '../view/registry';
import { ProRataPool, Takes } from './pro-rata.pool';
import { ArrivalKind, CashTracer, Copies, FlowRef, FlowSink, ReturnLedger, SavedPools, TraceTarget } from './tracer';

/**
 * pro_rata, the "haircut" rule (TRACING.md): an outflow takes from every tag in proportion to its
 * share of the pool just before it, rounded half up to the minor unit. Tags are investments'
 * indexes in the registry; see ProRataPool for the exact arithmetic.
 */
const newPool = () => new ProRataPool();

export class ProRataTracer implements CashTracer {
  readonly policy = 'pro_rata' as const;
  private readonly pools = new Copies<ProRataPool>();
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
    this.pool(partyId, currency).total += amount;
  }

  fund(investment: InvestmentInfo, amount: bigint, flow: FlowRef): void {
    const from = this.pool(investment.investorId, investment.currency);
    from.take(amount, this.takes);
    const to = this.pool(investment.investeeId, investment.currency);
    this.arrive(investment.investorId, investment.investeeId, to, amount, 'capital', flow);
    to.add(investment.index, amount);
    if (this.trace.is(investment.index)) this.sink!.tagged('pro_rata', flow, investment.investorId, investment.investeeId, amount, false);
  }

  pay(fromId: string, toId: string, currency: CurrencyCode, amount: bigint, flow: FlowRef): bigint {
    this.pool(fromId, currency).take(amount, this.takes);
    return this.arrive(fromId, toId, this.pool(toId, currency), amount, 'revenue', flow);
  }

  returned(investmentId: string) {
    return this.returns.of(this.registry.investmentIndexOf(investmentId));
  }

  holdings(): Map<string, Map<string, bigint>> {
    const result = new Map<string, Map<string, bigint>>();
    this.pools.forEach((pool, partyId) => {
      pool.forEachTag((tag, amount) => {
        const investmentId = this.registry.investmentAt(tag).investmentId;
        let parties = result.get(investmentId);
        if (!parties) result.set(investmentId, (parties = new Map()));
        parties.set(partyId, amount);
      });
    });
    return result;
  }

  snapshot(w: SnapshotWriter): void {
    this.pools.snapshot(w, (pool) => pool.snapshot(w));
    this.returns.snapshot(w);
  }

  restoreSnapshot(r: SnapshotReader): void {
    this.pools.restoreSnapshot(r, () => ProRataPool.fromSnapshot(r));
    this.returns.restoreSnapshot(r);
  }

  /** The pools and returns as they are, to go back to later (see restore); copied on write. */
  save(): ProRataState {
    return { pools: this.pools.save(), returns: this.returns.clone() };
  }

  restore(state: ProRataState): void {
    this.pools.restore(state.pools);
    this.returns = state.returns.clone();
  }

  private pool(partyId: string, currency: CurrencyCode): ProRataPool {
    return this.pools.writable(partyId, currency, newPool);
  }

  /**
   * The takes in `this.takes` reach `toId`: tags of its group close, the others join its pool.
   * Returns the amount returned (the takes closed).
   */
  private arrive(fromId: string, toId: string, pool: ProRataPool, amount: bigint, kind: ArrivalKind, flow: FlowRef): bigint {
    let returned = 0n;
    const receiverGroup = this.registry.groupNumberOf(toId);
    const groups = this.registry.investorGroupNumbers;
    const traced = this.trace.traced();
    const { tags, amounts, count } = this.takes;
    for (let i = 0; i < count; i++) {
      const tag = tags[i];
      const take = amounts[i];
      const closed = groups[tag] === receiverGroup;
      if (closed) {
        this.returns.add(kind, tag, take);
        returned += take;
      } else pool.add(tag, take);
      if (tag === traced) this.sink!.tagged('pro_rata', flow, fromId, toId, take, closed);
    }
    pool.total += amount;
    return returned;
  }
}

export interface ProRataState {
  readonly pools: SavedPools<ProRataPool>;
  readonly returns: ReturnLedger;
}

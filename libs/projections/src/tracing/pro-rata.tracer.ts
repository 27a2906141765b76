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
    this.pool(partyId, currency).inflow(amount);
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
    const receiverGroup = this.registry.groupNumberOf(toId);
    const groups = this.registry.investorGroupNumbers;
    const traced = this.trace.traced();
    const takes = this.takes;
    const { tags, count } = takes;
    let returned = 0n;
    if (takes.isWide) {
      for (let i = 0; i < count; i++) {
        const take = takes.wide[i];
        if (groups[tags[i]] === receiverGroup) {
          this.returns.add(kind, tags[i], take);
          returned += take;
        } else pool.add(tags[i], take);
      }
    } else {
      const narrow = takes.narrow;
      let closedSum = 0; // carried into `returned` before it would pass 2⁵³
      for (let i = 0; i < count; i++) {
        const take = narrow[i];
        if (groups[tags[i]] === receiverGroup) {
          this.returns.addNarrow(kind, tags[i], take);
          const sum = closedSum + take;
          if (sum > Number.MAX_SAFE_INTEGER) {
            returned += BigInt(closedSum) + BigInt(take);
            closedSum = 0;
          } else closedSum = sum;
        } else pool.addNarrow(tags[i], take);
      }
      if (closedSum !== 0) returned += BigInt(closedSum);
    }
    if (traced >= 0) this.tellSink(traced, groups[traced] === receiverGroup, fromId, toId, flow);
    pool.inflow(amount);
    return returned;
  }

  /** The traced tag's takes, to the trace log. */
  private tellSink(traced: number, closed: boolean, fromId: string, toId: string, flow: FlowRef): void {
    const takes = this.takes;
    for (let i = 0; i < takes.count; i++) {
      if (takes.tags[i] === traced) this.sink!.tagged('pro_rata', flow, fromId, toId, takes.amountAt(i), closed);
    }
  }
}

export interface ProRataState {
  readonly pools: SavedPools<ProRataPool>;
  readonly returns: ReturnLedger;
}

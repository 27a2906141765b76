import type { CapflowEvent, CurrencyCode } from '@capflow/contracts';
import { parseAmount } from '@capflow/ledger';
import { BalancesProjection, BalancesReport, codePointOrder } from '../balances/balances.projection';
import { CommitmentsProjection, CommitmentsReport } from '../commitments/commitments.projection';
import { CreditsProjection, CreditsReport } from '../credits/credits.projection';
import { FlowGraphProjection, FlowsReport } from '../flows/flow-graph.projection';
import { FifoState, FifoTracer } from '../tracing/fifo.tracer';
import { ProRataState, ProRataTracer } from '../tracing/pro-rata.tracer';
import { InvestmentFlows, roundTripRow, RoundTripsReport } from '../tracing/round-trips.report';
import { TraceLog, TraceReport } from '../tracing/trace-log';
import type { CashTracer, FlowRef, Policy } from '../tracing/tracer';
import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';
import { CircularCash, RevenueArrivals } from '../circular/circular-revenue.projection';
import { CircularRevenueCells, circularRevenueCells, circularRevenueOfCells, CircularRevenueReport, RevenuePeriod } from '../circular/circular-revenue.report';
import { DealCandidates, dealCandidatesOf } from '../deal-links/deal-links.report';
import { moneyOfEvent } from './money-of-event';
import { Registry } from './registry';
import type { ViewEvent } from './view-event';

/**
 * Every report of the ledger, computed by applying facts in business order (occurredAt, ties by
 * position). Reversed facts and the reversals themselves are never applied: the caller leaves
 * them out (see selectView), since a reversal voids its target from the start.
 */
export class LedgerView {
  readonly registry = new Registry();
  readonly balances = new BalancesProjection();
  readonly commitments = new CommitmentsProjection();
  readonly credits = new CreditsProjection();
  readonly flows = new FlowGraphProjection();
  readonly investmentFlows = new InvestmentFlows();
  readonly revenueArrivals = new RevenueArrivals();
  tracers!: { fifo: FifoTracer; pro_rata: ProRataTracer };
  /** Per policy, the returnedCash each cell of circular revenue closed: traced, so saved with the pools. */
  circularCash!: Record<Policy, CircularCash>;
  private readonly registered = new Set<string>();
  private readonly trace: TraceLog | null;
  applied = 0;

  /** `groups`: every party's group as known to the view (registrations are permanent). */
  constructor(groups: ReadonlyMap<string, string>, options: { traceInvestment?: string } = {}) {
    for (const [party, group] of groups) this.registry.groups.set(party, group);
    this.trace = options.traceInvestment === undefined ? null : new TraceLog(options.traceInvestment);
    this.resetTracing();
  }

  /** Empty pools under both policies (the registry and every other figure stay). */
  resetTracing(): void {
    this.tracers = {
      fifo: new FifoTracer(this.registry, this.trace),
      pro_rata: new ProRataTracer(this.registry, this.trace),
    };
    this.circularCash = { fifo: new CircularCash(), pro_rata: new CircularCash() };
  }

  /** A copy of both policies' pools, to wind the tracing back to later (see LiveLedger). */
  saveTracing(): TracingState {
    return {
      fifo: this.tracers.fifo.save(),
      pro_rata: this.tracers.pro_rata.save(),
      circularCash: { fifo: this.circularCash.fifo.clone(), pro_rata: this.circularCash.pro_rata.clone() },
    };
  }

  restoreTracing(state: TracingState): void {
    this.tracers.fifo.restore(state.fifo);
    this.tracers.pro_rata.restore(state.pro_rata);
    this.circularCash = { fifo: state.circularCash.fifo.clone(), pro_rata: state.circularCash.pro_rata.clone() };
  }

  /** Every figure of the view, for a snapshot (a view that traces an investment has none: its trace log is not kept). */
  snapshot(w: SnapshotWriter): void {
    if (this.trace) throw new Error('a view that traces an investment is not snapshotted');
    w.num(this.applied);
    w.num(this.registered.size);
    for (const party of this.registered) w.str(party);
    this.registry.snapshot(w);
    this.balances.snapshot(w);
    this.commitments.snapshot(w);
    this.credits.snapshot(w);
    this.flows.snapshot(w);
    this.investmentFlows.snapshot(w);
    this.tracers.fifo.snapshot(w);
    this.tracers.pro_rata.snapshot(w);
    this.revenueArrivals.snapshot(w);
    this.circularCash.fifo.snapshot(w);
    this.circularCash.pro_rata.snapshot(w);
  }

  /** Fills a new view (made with the groups its query knows) from a snapshot. */
  restoreSnapshot(r: SnapshotReader): void {
    if (this.applied !== 0 || this.trace) throw new Error('a snapshot restores into a new view that traces nothing');
    const groups = new Map(this.registry.groups);
    this.registry.groups.clear();
    this.applied = r.count();
    for (let n = r.count(); n > 0; n--) this.registered.add(r.str());
    this.registry.restoreSnapshot(r);
    // the query's groups: the same for every party the snapshot holds, and those registered after it
    for (const [party, group] of groups) this.registry.groups.set(party, group);
    this.balances.restoreSnapshot(r);
    this.commitments.restoreSnapshot(r);
    this.credits.restoreSnapshot(r);
    this.flows.restoreSnapshot(r);
    this.investmentFlows.restoreSnapshot(r);
    this.tracers.fifo.restoreSnapshot(r);
    this.tracers.pro_rata.restoreSnapshot(r);
    this.revenueArrivals.restoreSnapshot(r);
    this.circularCash.fifo.restoreSnapshot(r);
    this.circularCash.pro_rata.restoreSnapshot(r);
  }

  /** Applies one fact in business order: what a single pass over the log does. */
  apply(viewEvent: ViewEvent): void {
    this.applied += 1;
    this.register(viewEvent);
    this.account(viewEvent, 1n);
    this.traceCash(viewEvent);
  }

  /** Entities a fact creates. Registrations are never reversed, so this is never undone. */
  register({ event, occurredKey }: ViewEvent): void {
    const registry = this.registry;
    switch (event.type) {
      case 'PartyRegistered':
        this.registered.add(event.data.partyId);
        registry.partyNames.set(event.data.partyId, event.data.name);
        if (!registry.groups.has(event.data.partyId)) {
          const parent = event.data.parentId;
          registry.groups.set(event.data.partyId, parent === undefined ? event.data.partyId : registry.groupOf(parent));
        }
        return;
      case 'InvestmentCommitted': {
        const { data } = event;
        registry.addInvestment({
          investmentId: data.investmentId,
          investorId: data.investorId,
          investeeId: data.investeeId,
          investorGroup: registry.groupOf(data.investorId),
          investeeGroup: registry.groupOf(data.investeeId),
          currency: data.amount.currency,
          committed: parseAmount(data.amount.amount, data.amount.currency),
          instrument: data.instrument,
          committedKey: occurredKey,
        });
        return;
      }
      case 'ComputeCreditsGranted': {
        const { data } = event;
        registry.grants.set(data.grantId, {
          grantId: data.grantId,
          providerId: data.providerId,
          recipientId: data.recipientId,
          currency: data.amount.currency,
          granted: parseAmount(data.amount.amount, data.amount.currency),
          investmentId: data.investmentId,
          expiresAt: data.expiresAt,
        });
        return;
      }
      case 'ComputeCommitmentSigned': {
        const { data } = event;
        registry.addCommitment({
          commitmentId: data.commitmentId,
          customerId: data.customerId,
          providerId: data.providerId,
          currency: data.amount.currency,
          amount: parseAmount(data.amount.amount, data.amount.currency),
          startsAt: data.startsAt,
          endsAt: data.endsAt,
          signedKey: occurredKey,
        });
        return;
      }
      case 'UsageBilled': {
        const { data } = event;
        registry.invoices.set(data.invoiceId, {
          invoiceId: data.invoiceId,
          providerId: data.providerId,
          customerId: data.customerId,
          currency: data.amount.currency,
          billed: parseAmount(data.amount.amount, data.amount.currency),
          commitmentId: data.commitmentId,
        });
        return;
      }
      default:
        return;
    }
  }

  /**
   * The effects that do not depend on order: balances, credits, commitments, flows between groups,
   * and each investment's funding and credits returned. `sign` −1 takes a reversed fact back out.
   */
  account(viewEvent: ViewEvent, sign: 1n | -1n): void {
    const { event } = viewEvent;
    const registry = this.registry;
    const money = moneyOfEvent(event);
    if (!money) return;
    const amount = money.minor * sign;
    this.balances.post(event, registry, money.currency, amount);
    switch (event.type) {
      case 'InvestmentFunded': {
        const investment = registry.investments.get(event.data.investmentId)!;
        this.investmentFlows.add(this.investmentFlows.fundedCash, investment.investmentId, amount);
        this.flows.move(investment.currency, investment.investorGroup, investment.investeeGroup, 'investment_cash', amount);
        return;
      }
      case 'ComputeCreditsGranted': {
        const { data } = event;
        if (data.investmentId === undefined) return;
        this.investmentFlows.add(this.investmentFlows.fundedCredits, data.investmentId, amount);
        this.flows.move(money.currency, registry.groupOf(data.providerId), registry.groupOf(data.recipientId), 'investment_credits', amount);
        return;
      }
      case 'UsageBilled':
        if (event.data.commitmentId !== undefined) this.commitments.bill(event.data.commitmentId, amount);
        return;
      case 'InvoiceSettled': {
        const { data } = event;
        const invoice = registry.invoices.get(data.invoiceId)!;
        const customerGroup = registry.groupOf(invoice.customerId);
        const providerGroup = registry.groupOf(invoice.providerId);
        this.flows.move(invoice.currency, customerGroup, providerGroup, 'compute_revenue', amount);
        const grant = data.method === 'credits' ? registry.grants.get(data.grantId!)! : null;
        if (grant) {
          this.credits.use(grant.grantId, amount);
          if (grant.investmentId !== undefined) this.investmentFlows.add(this.investmentFlows.returnedCredits, grant.investmentId, amount);
        }
        if (customerGroup !== providerGroup) {
          const fromInvestment = grant?.investmentId !== undefined;
          this.revenueArrivals.arrive(providerGroup, customerGroup, invoice.currency, viewEvent.occurredKey, data.method, amount, fromInvestment, sign);
        }
        return;
      }
      case 'PaymentMade': {
        const { data } = event;
        const kind = data.purpose === 'compute' ? 'compute_revenue' : 'other_payments';
        const customerGroup = registry.groupOf(data.payerId);
        const providerGroup = registry.groupOf(data.payeeId);
        this.flows.move(money.currency, customerGroup, providerGroup, kind, amount);
        if (customerGroup !== providerGroup) {
          this.revenueArrivals.arrive(providerGroup, customerGroup, money.currency, viewEvent.occurredKey, 'cash', amount, false, sign);
        }
        return;
      }
      case 'CreditsExpired':
        this.credits.expire(event.data.grantId, amount);
        return;
      default:
        return;
    }
  }

  /** Cash through the pools of both policies: order matters, so only ever in business order. */
  traceCash(viewEvent: ViewEvent): void {
    const move = this.cashMoveOf(viewEvent);
    if (!move) return;
    const { event, position } = viewEvent;
    this.applyMove(move, { position, eventId: event.eventId, type: event.type, occurredAt: event.occurredAt });
  }

  /** A fact that moves cash, reduced to what the pools need of it; null for the others. */
  cashMoveOf({ event, occurredKey, position }: ViewEvent): CashMove | null {
    if (!movesCash(event)) return null;
    const money = moneyOfEvent(event)!;
    const base = { key: occurredKey, position, currency: money.currency, amount: money.minor };
    switch (event.type) {
      case 'OpeningBalanceRecorded':
        return { ...base, kind: 'opening', from: event.data.partyId, to: event.data.partyId, investmentId: null };
      case 'InvestmentFunded': {
        const investment = this.registry.investments.get(event.data.investmentId)!;
        return { ...base, kind: 'fund', from: investment.investorId, to: investment.investeeId, investmentId: investment.investmentId };
      }
      case 'InvoiceSettled': {
        const invoice = this.registry.invoices.get(event.data.invoiceId)!;
        return { ...base, kind: 'pay', from: invoice.customerId, to: invoice.providerId, investmentId: null };
      }
      case 'PaymentMade':
        return { ...base, kind: 'pay', from: event.data.payerId, to: event.data.payeeId, investmentId: null };
      default:
        return null;
    }
  }

  applyMove(move: CashMove, flow: FlowRef = UNTRACED_FLOW): void {
    this.moveThrough(this.tracers.fifo, move, flow);
    this.moveThrough(this.tracers.pro_rata, move, flow);
  }

  private moveThrough(tracer: CashTracer, move: CashMove, flow: FlowRef): void {
    if (move.kind === 'opening') tracer.openingBalance(move.to, move.currency, move.amount);
    else if (move.kind === 'fund') tracer.fund(this.registry.investments.get(move.investmentId!)!, move.amount, flow);
    else {
      const closed = tracer.pay(move.from, move.to, move.currency, move.amount, flow);
      // closing needs the receiver's group to differ from the tag's investor's, so from the payer's too
      if (closed !== 0n) {
        const registry = this.registry;
        this.circularCash[tracer.policy].add(registry.groupOf(move.to), registry.groupOf(move.from), move.currency, move.key, closed);
      }
    }
  }

  balancesReport(asOf: string | null): BalancesReport {
    return this.balances.report([...this.registered], this.registry, asOf);
  }

  roundTripsReport(policy: Policy, asOf: string | null): RoundTripsReport {
    const investments = [...this.registry.investments.values()]
      .sort((a, b) => codePointOrder(a.investmentId, b.investmentId))
      .map((investment) => roundTripRow(investment, this.investmentFlows, this.tracers[policy], this.registry));
    return { policy, asOf, investments };
  }

  commitmentsReport(asOf: string | null): CommitmentsReport {
    return this.commitments.report(this.registry, asOf);
  }

  creditsReport(asOf: string | null): CreditsReport {
    return this.credits.report(this.registry, asOf);
  }

  /** Circular revenue (TRACING.md 1.1): every cell by month, what any period and policy is computed from. */
  circularRevenueCells(): CircularRevenueCells {
    return circularRevenueCells(this.revenueArrivals, this.circularCash);
  }

  circularRevenueReport(policy: Policy, period: RevenuePeriod, asOf: string | null): CircularRevenueReport {
    return circularRevenueOfCells(this.circularRevenueCells(), policy, period, asOf);
  }

  dealCandidates(): DealCandidates {
    return dealCandidatesOf(this.registry);
  }

  flowsReport(asOf: string | null): FlowsReport {
    return this.flows.report(asOf);
  }

  /** Null when the investment is not in the view, or the view was not built to trace it. */
  traceReport(asOf: string | null): TraceReport | null {
    if (!this.trace) return null;
    const investment = this.registry.investments.get(this.trace.investmentId);
    if (!investment) return null;
    return this.trace.report(
      investment.currency,
      {
        fifo: this.tracers.fifo.holdings().get(investment.investmentId),
        pro_rata: this.tracers.pro_rata.holdings().get(investment.investmentId),
      },
      asOf,
    );
  }
}


/** The facts that move cash between pools (TRACING.md, "What each event does to the pools"). */
export function movesCash(event: CapflowEvent): boolean {
  return (
    event.type === 'OpeningBalanceRecorded' ||
    event.type === 'InvestmentFunded' ||
    event.type === 'PaymentMade' ||
    (event.type === 'InvoiceSettled' && event.data.method === 'cash')
  );
}

export interface TracingState {
  readonly fifo: FifoState;
  readonly pro_rata: ProRataState;
  readonly circularCash: Readonly<Record<Policy, CircularCash>>;
}

/** What the pools need of a fact that moves cash, in business order (key, position). */
export interface CashMove {
  key: string;
  position: number;
  kind: 'opening' | 'fund' | 'pay';
  from: string;
  to: string;
  currency: CurrencyCode;
  amount: bigint;
  investmentId: string | null;
}

const UNTRACED_FLOW: FlowRef = { position: 0, eventId: '', type: '', occurredAt: '' };

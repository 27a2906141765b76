import { parseAmount } from '@capflow/ledger';
import { BalancesProjection, BalancesReport, codePointOrder } from '../balances/balances.projection';
import { CommitmentsProjection, CommitmentsReport } from '../commitments/commitments.projection';
import { CreditsProjection, CreditsReport } from '../credits/credits.projection';
import { FlowGraphProjection, FlowsReport } from '../flows/flow-graph.projection';
import { FifoTracer } from '../tracing/fifo.tracer';
import { ProRataTracer } from '../tracing/pro-rata.tracer';
import { InvestmentFlows, roundTripRow, RoundTripsReport } from '../tracing/round-trips.report';
import { NO_TRACE, TraceLog, TraceReport } from '../tracing/trace-log';
import type { CashTracer, FlowRef, Policy } from '../tracing/tracer';
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
  readonly tracers: Record<Policy, CashTracer>;
  private readonly registered: string[] = [];
  private readonly trace: TraceLog | null;
  applied = 0;

  /** `groups`: every party's group as known to the view (registrations are permanent). */
  constructor(groups: ReadonlyMap<string, string>, options: { traceInvestment?: string } = {}) {
    for (const [party, group] of groups) this.registry.groups.set(party, group);
    this.trace = options.traceInvestment === undefined ? null : new TraceLog(options.traceInvestment);
    const sink = this.trace ?? NO_TRACE;
    this.tracers = { fifo: new FifoTracer(this.registry, sink), pro_rata: new ProRataTracer(this.registry, sink) };
  }

  apply(viewEvent: ViewEvent): void {
    const { event, position } = viewEvent;
    const registry = this.registry;
    this.applied += 1;
    const flow = (): FlowRef => ({ position, eventId: event.eventId, type: event.type, occurredAt: event.occurredAt });
    switch (event.type) {
      case 'PartyRegistered':
        this.registered.push(event.data.partyId);
        registry.partyNames.set(event.data.partyId, event.data.name);
        if (!registry.groups.has(event.data.partyId)) {
          const parent = event.data.parentId;
          registry.groups.set(event.data.partyId, parent === undefined ? event.data.partyId : registry.groupOf(parent));
        }
        return;
      case 'OpeningBalanceRecorded': {
        const { partyId, amount } = event.data;
        const minor = parseAmount(amount.amount, amount.currency);
        this.balances.apply(viewEvent, registry);
        this.tracers.fifo.openingBalance(partyId, amount.currency, minor);
        this.tracers.pro_rata.openingBalance(partyId, amount.currency, minor);
        return;
      }
      case 'InvestmentCommitted': {
        const { data } = event;
        registry.investments.set(data.investmentId, {
          investmentId: data.investmentId,
          investorId: data.investorId,
          investeeId: data.investeeId,
          investorGroup: registry.groupOf(data.investorId),
          investeeGroup: registry.groupOf(data.investeeId),
          currency: data.amount.currency,
          committed: parseAmount(data.amount.amount, data.amount.currency),
          instrument: data.instrument,
        });
        return;
      }
      case 'InvestmentFunded': {
        const investment = registry.investments.get(event.data.investmentId)!;
        const minor = parseAmount(event.data.amount.amount, event.data.amount.currency);
        this.balances.apply(viewEvent, registry);
        this.investmentFlows.add(this.investmentFlows.fundedCash, investment.investmentId, minor);
        this.flows.move(investment.currency, investment.investorGroup, investment.investeeGroup, 'investment_cash', minor);
        const ref = flow();
        this.tracers.fifo.fund(investment, minor, ref);
        this.tracers.pro_rata.fund(investment, minor, ref);
        return;
      }
      case 'ComputeCreditsGranted': {
        const { data } = event;
        const minor = parseAmount(data.amount.amount, data.amount.currency);
        registry.grants.set(data.grantId, {
          grantId: data.grantId,
          providerId: data.providerId,
          recipientId: data.recipientId,
          currency: data.amount.currency,
          granted: minor,
          investmentId: data.investmentId,
          expiresAt: data.expiresAt,
        });
        this.balances.apply(viewEvent, registry);
        if (data.investmentId !== undefined) {
          this.investmentFlows.add(this.investmentFlows.fundedCredits, data.investmentId, minor);
          this.flows.move(data.amount.currency, registry.groupOf(data.providerId), registry.groupOf(data.recipientId), 'investment_credits', minor);
        }
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
        });
        return;
      }
      case 'UsageBilled': {
        const { data } = event;
        const minor = parseAmount(data.amount.amount, data.amount.currency);
        registry.invoices.set(data.invoiceId, {
          invoiceId: data.invoiceId,
          providerId: data.providerId,
          customerId: data.customerId,
          currency: data.amount.currency,
          billed: minor,
          commitmentId: data.commitmentId,
        });
        this.balances.apply(viewEvent, registry);
        if (data.commitmentId !== undefined) this.commitments.bill(data.commitmentId, minor);
        return;
      }
      case 'InvoiceSettled': {
        const { data } = event;
        const invoice = registry.invoices.get(data.invoiceId)!;
        const minor = parseAmount(data.amount.amount, data.amount.currency);
        this.balances.apply(viewEvent, registry);
        this.flows.move(invoice.currency, registry.groupOf(invoice.customerId), registry.groupOf(invoice.providerId), 'compute_revenue', minor);
        if (data.method === 'credits') {
          const grant = registry.grants.get(data.grantId!)!;
          this.credits.use(grant.grantId, minor);
          if (grant.investmentId !== undefined) this.investmentFlows.add(this.investmentFlows.returnedCredits, grant.investmentId, minor);
          return;
        }
        const ref = flow();
        this.tracers.fifo.pay(invoice.customerId, invoice.providerId, invoice.currency, minor, ref);
        this.tracers.pro_rata.pay(invoice.customerId, invoice.providerId, invoice.currency, minor, ref);
        return;
      }
      case 'PaymentMade': {
        const { data } = event;
        const minor = parseAmount(data.amount.amount, data.amount.currency);
        this.balances.apply(viewEvent, registry);
        const kind = data.purpose === 'compute' ? 'compute_revenue' : 'other_payments';
        this.flows.move(data.amount.currency, registry.groupOf(data.payerId), registry.groupOf(data.payeeId), kind, minor);
        const ref = flow();
        this.tracers.fifo.pay(data.payerId, data.payeeId, data.amount.currency, minor, ref);
        this.tracers.pro_rata.pay(data.payerId, data.payeeId, data.amount.currency, minor, ref);
        return;
      }
      case 'CreditsExpired': {
        this.balances.apply(viewEvent, registry);
        this.credits.expire(event.data.grantId, parseAmount(event.data.amount.amount, event.data.amount.currency));
        return;
      }
      case 'EventReversed':
        return; // applied by leaving its target out of the view
    }
  }

  balancesReport(asOf: string | null): BalancesReport {
    return this.balances.report(this.registered, this.registry, asOf);
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


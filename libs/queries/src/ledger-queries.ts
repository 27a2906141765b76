import type { EventFilter, EventStore } from '@capflow/event-store';
import { circularRevenueOfCells, dealLinksReport, SeriesTooLong } from '@capflow/projections';
import type {
  BalancesReport,
  CircularRevenueCells,
  CircularRevenueReport,
  CommitmentsReport,
  DealCandidates,
  DealLinksReport,
  PartyBalances,
  RevenuePeriod,
  RoundTripRow,
  SeriesPeriod,
  CreditsReport,
  FlowsReport,
  LedgerView,
  Policy,
  Restatement,
  RoundTripsReport,
  TraceReport,
} from '@capflow/projections';
import { computeSeries, computeView, ProjectionName, ReadModelStore } from '@capflow/read-models';
import { AuditRecord, auditRecordOf } from './audit-record';
import { QueryError, QueryErrorCode } from './query.errors';
import { isCurrent, Selection } from './selection';
import type { SeriesSelection } from './series-selection';

export interface RestatementsReport {
  asOf: string | null;
  restatements: Restatement[];
}

export interface RoundTripsSeries {
  policy: Policy;
  series: SeriesPeriod;
  points: { asOf: string; investments: RoundTripRow[] }[];
}

export interface BalancesSeries {
  series: SeriesPeriod;
  points: { asOf: string; parties: PartyBalances[] }[];
}

export interface LedgerQueriesOptions {
  /**
   * Brings a read model up to the log's head before a current report is read. The command line
   * does (it is the only process); a server leaves that to the projector and serves the read
   * models as they stand.
   */
  freshen?: (projection: ProjectionName) => Promise<void>;
  /** Computes a view from the log (default: one pass each time; a server may cache them). */
  view?: (store: EventStore, request: { asOf?: string; knownAt?: string; traceInvestment?: string }, readModels: ReadModelStore) => Promise<LedgerView>;
}

/**
 * Every question an auditor asks of the ledger, whatever carries it (command line, HTTP): reports
 * as the ledger stands come from the read models; as of a business time or as known at a ledger
 * time, from a pass over the log.
 */
export class LedgerQueries {
  constructor(
    private readonly store: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly options: LedgerQueriesOptions = {},
  ) {}

  balances(selection: Selection): Promise<BalancesReport> {
    return this.report(selection, 'balances', 'balances', (view) => view.balancesReport(selection.asOfText));
  }

  roundTrips(policy: Policy, selection: Selection): Promise<RoundTripsReport> {
    return this.report(selection, 'round-trips', policy, (view) => view.roundTripsReport(policy, selection.asOfText));
  }

  /** Round trips as of the end of each period (TRACING.md 1.1): one pass, from a snapshot where one serves. */
  async roundTripsSeries(policy: Policy, series: SeriesSelection): Promise<RoundTripsSeries> {
    const points: RoundTripsSeries['points'] = [];
    await this.series(series, (view, point) => points.push({ asOf: point.asOf, investments: view.roundTripsReport(policy, point.asOf).investments }));
    return { policy, series: series.period, points };
  }

  async balancesSeries(series: SeriesSelection): Promise<BalancesSeries> {
    const points: BalancesSeries['points'] = [];
    await this.series(series, (view, point) => points.push({ asOf: point.asOf, parties: view.balancesReport(point.asOf).parties }));
    return { series: series.period, points };
  }

  /** Circular revenue (TRACING.md 1.1): the read model keeps its cells by month, for every period and policy. */
  async circularRevenue(policy: Policy, period: RevenuePeriod, selection: Selection): Promise<CircularRevenueReport> {
    const cells = await this.report<CircularRevenueCells>(selection, 'round-trips', 'circular-revenue', (view) => view.circularRevenueCells());
    return circularRevenueOfCells(cells, policy, period, selection.asOfText);
  }

  /** Deal links (TRACING.md 1.1), from the investments and commitments of the view, for any window. */
  async dealLinks(windowDays: number, selection: Selection): Promise<DealLinksReport> {
    const candidates = await this.report<DealCandidates>(selection, 'commitments', 'deal-candidates', (view) => view.dealCandidates());
    return dealLinksReport(candidates, windowDays, selection.asOfText);
  }

  commitments(selection: Selection): Promise<CommitmentsReport> {
    return this.report(selection, 'commitments', 'commitments', (view) => view.commitmentsReport(selection.asOfText));
  }

  credits(selection: Selection): Promise<CreditsReport> {
    return this.report(selection, 'credits', 'credits', (view) => view.creditsReport(selection.asOfText));
  }

  flows(selection: Selection): Promise<FlowsReport> {
    return this.report(selection, 'flows', 'flows', (view) => view.flowsReport(selection.asOfText));
  }

  /** One investment's money: every flow that carried its tag, under both policies. Always from the log. */
  async trace(investmentId: string, selection: Selection): Promise<TraceReport> {
    const report = (await this.view(selection, investmentId)).traceReport(selection.asOfText);
    if (!report) throw new QueryError(QueryErrorCode.NotFound, `no investment ${JSON.stringify(investmentId)} in this view of the ledger`);
    return report;
  }

  async restatements(selection: Selection): Promise<RestatementsReport> {
    await this.options.freshen?.('restatements');
    if (!(await this.readModels.states()).has('restatements')) throw notReady('restatements');
    const toPosition = selection.knownAt === undefined ? undefined : await this.store.positionKnownAt(selection.knownAt);
    return { asOf: selection.asOfText, restatements: await this.readModels.restatements({ toPosition, occurredTo: selection.asOf }) };
  }

  /** The audit trail, oldest first: positions after `after`, at most `limit`. */
  async events(filter: EventFilter, page: { after: number; limit: number }): Promise<AuditRecord[]> {
    return (await this.store.queryEvents(filter, page)).map(auditRecordOf);
  }

  async event(eventId: string): Promise<AuditRecord> {
    const [found] = await this.store.findEvents([eventId]);
    if (!found) throw new QueryError(QueryErrorCode.NotFound, `no event ${JSON.stringify(eventId)} in the store`);
    return auditRecordOf(found);
  }

  /** How far the read models have caught up with the log: the least checkpoint, and the head. */
  async readPosition(): Promise<{ readModels: number | null; head: number }> {
    const states = [...(await this.readModels.states()).values()];
    return {
      readModels: states.length === 0 ? null : Math.min(...states.map((state) => state.position)),
      head: (await this.store.head()).position,
    };
  }

  private async report<T>(selection: Selection, projection: ProjectionName, name: string, fromView: (view: LedgerView) => T): Promise<T> {
    if (!isCurrent(selection)) return fromView(await this.view(selection));
    await this.options.freshen?.(projection);
    const document = await this.readModels.document(projection, name);
    if (document === null) throw notReady(projection);
    return document as T;
  }

  private async series(series: SeriesSelection, take: Parameters<typeof computeSeries>[2]): Promise<void> {
    try {
      await computeSeries(this.store, series, take, this.readModels);
    } catch (error) {
      if (error instanceof SeriesTooLong) throw new QueryError(QueryErrorCode.InvalidParameter, `${error.message}: name a shorter span (from, to)`);
      throw error;
    }
  }

  private view(selection: Selection, traceInvestment?: string): Promise<LedgerView> {
    const request = { asOf: selection.asOf, knownAt: selection.knownAt, traceInvestment };
    return (this.options.view ?? computeView)(this.store, request, this.readModels);
  }
}

function notReady(projection: ProjectionName): QueryError {
  return new QueryError(QueryErrorCode.NotReady, `the ${projection} read model has not been built yet: the projector has not caught up once`);
}

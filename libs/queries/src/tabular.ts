import type {
  BalancesReport,
  CircularRevenueReport,
  CommitmentsReport,
  DealLinksReport,
  CreditsReport,
  FlowsReport,
  RestatedFigure,
  Restatement,
  RoundTripsReport,
  TraceReport,
} from '@capflow/projections';
import { toCsv } from './csv';
import type { BalancesSeries, RoundTripsSeries } from './ledger-queries';

/** How a tabular report reads as rows: for tables on a terminal, and for CSV over every adapter. */
export interface Tabular<T> {
  headers: string[];
  rows(report: T): string[][];
  /** Columns of amounts and positions: right-aligned in tables, written as stated in CSV (every other cell is text). */
  numeric: number[];
  /** The numeric columns that hold amounts (not ratios, positions or counts): digits grouped in tables for people. */
  amounts: number[];
}

export const BALANCES: Tabular<BalancesReport> = {
  headers: ['partyId', 'group', 'currency', 'account', 'balance'],
  numeric: [4],
  amounts: [4],
  rows: (report) =>
    report.parties.flatMap((party) =>
      Object.entries(party.balances).flatMap(([currency, accounts]) =>
        Object.entries(accounts).map(([account, amount]) => [party.partyId, party.group, currency, account, amount]),
      ),
    ),
};

export const ROUND_TRIPS: Tabular<RoundTripsReport> = {
  headers: [
    'investmentId',
    'investorId',
    'investorGroup',
    'investeeId',
    'currency',
    'committed',
    'fundedCash',
    'fundedCredits',
    'returnedCash',
    'returnedCapital',
    'returnedCredits',
    'roundTripRatio',
    'commitmentsToInvestorGroup',
  ],
  numeric: [5, 6, 7, 8, 9, 10, 11, 12],
  amounts: [5, 6, 7, 8, 9, 10, 12],
  rows: (report) =>
    report.investments.map((row) => [
      row.investmentId,
      row.investorId,
      row.investorGroup,
      row.investeeId,
      row.currency,
      row.committed,
      row.fundedCash,
      row.fundedCredits,
      row.returnedCash,
      row.returnedCapital,
      row.returnedCredits,
      row.roundTripRatio === null ? '' : String(row.roundTripRatio),
      row.commitmentsToInvestorGroup,
    ]),
};

export const COMMITMENTS: Tabular<CommitmentsReport> = {
  headers: ['commitmentId', 'customerId', 'providerId', 'providerGroup', 'currency', 'committed', 'billed', 'remaining', 'billedBeyond', 'startsAt', 'endsAt'],
  numeric: [5, 6, 7, 8],
  amounts: [5, 6, 7, 8],
  rows: (report) =>
    report.commitments.map((c) => [c.commitmentId, c.customerId, c.providerId, c.providerGroup, c.currency, c.committed, c.billed, c.remaining, c.billedBeyond, c.startsAt, c.endsAt]),
};

export const PROVIDER_BACKLOG: Tabular<CommitmentsReport> = {
  headers: ['providerId', 'currency', 'committed', 'billed', 'remaining (backlog)', 'commitments'],
  numeric: [2, 3, 4, 5],
  amounts: [2, 3, 4],
  rows: (report) => report.providers.map((p) => [p.providerId, p.currency, p.committed, p.billed, p.remaining, String(p.commitments)]),
};

export const CREDITS: Tabular<CreditsReport> = {
  headers: ['grantId', 'providerId', 'recipientId', 'investmentId', 'currency', 'granted', 'used', 'expired', 'remaining', 'expiresAt'],
  numeric: [5, 6, 7, 8],
  amounts: [5, 6, 7, 8],
  rows: (report) =>
    report.grants.map((g) => [g.grantId, g.providerId, g.recipientId, g.investmentId ?? '', g.currency, g.granted, g.used, g.expired, g.remaining, g.expiresAt ?? '']),
};

export const FLOWS: Tabular<FlowsReport> = {
  headers: ['currency', 'from', 'to', 'investment_cash', 'investment_credits', 'compute_revenue', 'other_payments', 'total'],
  numeric: [3, 4, 5, 6, 7],
  amounts: [3, 4, 5, 6, 7],
  rows: (report) =>
    report.currencies.flatMap((c) =>
      c.edges.map((e) => [
        c.currency,
        e.from,
        e.to,
        e.kinds.investment_cash ?? '',
        e.kinds.investment_credits ?? '',
        e.kinds.compute_revenue ?? '',
        e.kinds.other_payments ?? '',
        e.total,
      ]),
    ),
};

export const TRACE: Tabular<TraceReport> = {
  headers: ['position', 'occurredAt', 'type', 'from', 'to', 'fifo', 'pro_rata', 'home (fifo/pro_rata)'],
  numeric: [0, 5, 6],
  amounts: [5, 6],
  rows: (report) =>
    report.flows.map((f) => [
      String(f.position),
      f.occurredAt,
      f.type,
      f.from,
      f.to,
      f.amount.fifo,
      f.amount.pro_rata,
      `${f.returned.fifo ? 'yes' : 'no'}/${f.returned.pro_rata ? 'yes' : 'no'}`,
    ]),
};

export const RESTATEMENTS: Tabular<{ restatements: Restatement[] }> = {
  headers: ['recordedAt', 'position', 'eventId', 'kind', 'restatedFrom', 'report', 'policy', 'subject', 'field', 'before', 'after', 'delta'],
  numeric: [1, 9, 10, 11],
  amounts: [9, 10, 11],
  rows: (report) =>
    report.restatements.flatMap((r) => [
      ...r.facts.flatMap((fact) =>
        (fact.balances.length > 0 ? fact.balances : [null]).map((change) => [
          r.recordedAt,
          String(fact.position),
          fact.eventId,
          fact.reversedEventId ? `reversal of ${fact.reversedEventId}` : fact.kind,
          fact.restatedFrom,
          ...(change ? figureCells(change) : ['', '', '', '', '', '', '']),
        ]),
      ),
      // the round trips the append's late facts changed together
      ...r.roundTrips.map((change) => [r.recordedAt, '', `${r.facts.length} fact${r.facts.length === 1 ? '' : 's'} together`, '', r.restatedFrom, ...figureCells(change)]),
    ]),
};

function figureCells(change: RestatedFigure): string[] {
  return change.report === 'balances'
    ? ['balances', '', `${change.partyId} ${change.currency}`, change.account, change.before, change.after, change.delta]
    : ['round-trips', change.policy ?? 'both', `${change.investmentId} ${change.currency}`, change.field, change.before, change.after, change.delta];
}

export function asCsv<T>(tabular: Tabular<T>, report: T): string {
  return toCsv(tabular.headers, tabular.rows(report), tabular.numeric);
}

export const CIRCULAR_REVENUE: Tabular<CircularRevenueReport> = {
  headers: ['providerGroup', 'customerGroup', 'currency', 'period', 'receivedCash', 'circularCash', 'receivedCredits', 'circularCredits', 'circularShare'],
  numeric: [4, 5, 6, 7, 8],
  amounts: [4, 5, 6, 7],
  rows: (report) =>
    report.rows.map((r) => [
      r.providerGroup,
      r.customerGroup,
      r.currency,
      r.period,
      r.receivedCash,
      r.circularCash,
      r.receivedCredits,
      r.circularCredits,
      r.circularShare === null ? '' : String(r.circularShare),
    ]),
};

export const DEAL_LINKS: Tabular<DealLinksReport> = {
  headers: ['investmentId', 'investorGroup', 'investeeId', 'currency', 'committed', 'linkedCommitmentIds', 'linkedAmount', 'linkedRatio'],
  numeric: [4, 6, 7],
  amounts: [4, 6],
  rows: (report) =>
    report.investments.map((r) => [
      r.investmentId,
      r.investorGroup,
      r.investeeId,
      r.currency,
      r.committed,
      r.linkedCommitmentIds.join(' '),
      r.linkedAmount,
      r.linkedRatio === null ? '' : String(r.linkedRatio),
    ]),
};

/** A series as rows: each point's rows with its asOf in front. */
function asSeries<T, P extends { asOf: string }>(tabular: Tabular<T>, reportOf: (point: P) => T): Tabular<{ points: P[] }> {
  return {
    headers: ['asOf', ...tabular.headers],
    numeric: tabular.numeric.map((column) => column + 1),
    amounts: tabular.amounts.map((column) => column + 1),
    rows: (series) => series.points.flatMap((point) => tabular.rows(reportOf(point)).map((row) => [point.asOf, ...row])),
  };
}

export const ROUND_TRIPS_SERIES: Tabular<RoundTripsSeries> = asSeries(ROUND_TRIPS, (point: RoundTripsSeries['points'][number]) => ({
  policy: 'fifo' as const, // not a column
  ...point,
}));

export const BALANCES_SERIES: Tabular<BalancesSeries> = asSeries(BALANCES, (point: BalancesSeries['points'][number]) => point);

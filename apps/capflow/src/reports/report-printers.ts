import type {
  BalancesReport,
  CommitmentsReport,
  CreditsReport,
  FlowsReport,
  RestatedFigure,
  Restatement,
  RoundTripsReport,
  TraceReport,
} from '@capflow/projections';
import { toCsv } from '../output/csv';
import { formatTable } from '../output/table';

/** How a tabular report reads as rows: for tables on a terminal and for CSV. */
export interface Tabular<T> {
  headers: string[];
  rows(report: T): string[][];
  /** Right-aligned (numeric) columns. */
  numeric: number[];
}

export const BALANCES: Tabular<BalancesReport> = {
  headers: ['partyId', 'group', 'currency', 'account', 'balance'],
  numeric: [4],
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
  rows: (report) =>
    report.commitments.map((c) => [c.commitmentId, c.customerId, c.providerId, c.providerGroup, c.currency, c.committed, c.billed, c.remaining, c.billedBeyond, c.startsAt, c.endsAt]),
};

export const PROVIDER_BACKLOG: Tabular<CommitmentsReport> = {
  headers: ['providerId', 'currency', 'committed', 'billed', 'remaining (backlog)', 'commitments'],
  numeric: [2, 3, 4, 5],
  rows: (report) => report.providers.map((p) => [p.providerId, p.currency, p.committed, p.billed, p.remaining, String(p.commitments)]),
};

export const CREDITS: Tabular<CreditsReport> = {
  headers: ['grantId', 'providerId', 'recipientId', 'investmentId', 'currency', 'granted', 'used', 'expired', 'remaining', 'expiresAt'],
  numeric: [5, 6, 7, 8],
  rows: (report) =>
    report.grants.map((g) => [g.grantId, g.providerId, g.recipientId, g.investmentId ?? '', g.currency, g.granted, g.used, g.expired, g.remaining, g.expiresAt ?? '']),
};

export const FLOWS: Tabular<FlowsReport> = {
  headers: ['currency', 'from', 'to', 'investment_cash', 'investment_credits', 'compute_revenue', 'other_payments', 'total'],
  numeric: [3, 4, 5, 6, 7],
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

export function asTable<T>(tabular: Tabular<T>, report: T): string {
  const rows = tabular.rows(report);
  return `${formatTable(tabular.headers, rows, new Set(tabular.numeric))}\n${rows.length} row${rows.length === 1 ? '' : 's'}`;
}

export function asCsv<T>(tabular: Tabular<T>, report: T): string {
  return toCsv(tabular.headers, tabular.rows(report));
}

/** The flow graph for Graphviz: one edge per pair with its total, cycles drawn in red. */
export function flowsAsDot(report: FlowsReport): string {
  const lines = ['digraph capflow_flows {', '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  for (const currency of report.currencies) {
    const onCycle = new Set(currency.cycles.flatMap((cycle) => cycle.groups.slice(0, -1).map((g, i) => `${g} ${cycle.groups[i + 1]}`)));
    lines.push(`  subgraph "cluster_${currency.currency}" {`, `    label="${currency.currency}";`);
    for (const group of currency.groups) lines.push(`    "${currency.currency}:${group}" [label="${group}"];`);
    for (const edge of currency.edges) {
      const kinds = Object.entries(edge.kinds)
        .map(([kind, amount]) => `${kind} ${amount}`)
        .join('\\n');
      const style = onCycle.has(`${edge.from} ${edge.to}`) ? ', color=red, penwidth=2' : '';
      lines.push(`    "${currency.currency}:${edge.from}" -> "${currency.currency}:${edge.to}" [label="${edge.total} ${currency.currency}\\n${kinds}"${style}];`);
    }
    lines.push('  }');
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** The flow graph as a Mermaid flowchart (renders in GitHub and most wikis). */
export function flowsAsMermaid(report: FlowsReport): string {
  const lines = ['flowchart LR'];
  const id = (currency: string, group: string) => `${currency}_${group}`.replace(/[^A-Za-z0-9_]/g, '_');
  let edgeIndex = 0;
  const cycleEdges: number[] = [];
  for (const currency of report.currencies) {
    const onCycle = new Set(currency.cycles.flatMap((cycle) => cycle.groups.slice(0, -1).map((g, i) => `${g} ${cycle.groups[i + 1]}`)));
    lines.push(`  subgraph ${currency.currency}`);
    for (const group of currency.groups) lines.push(`    ${id(currency.currency, group)}["${group}"]`);
    for (const edge of currency.edges) {
      lines.push(`    ${id(currency.currency, edge.from)} -->|"${edge.total} ${currency.currency}"| ${id(currency.currency, edge.to)}`);
      if (onCycle.has(`${edge.from} ${edge.to}`)) cycleEdges.push(edgeIndex);
      edgeIndex += 1;
    }
    lines.push('  end');
  }
  if (cycleEdges.length > 0) lines.push(`  linkStyle ${cycleEdges.join(',')} stroke:#d00,stroke-width:2px`);
  return `${lines.join('\n')}\n`;
}

import { eventKey } from '@capflow/contracts';
import type { EventStore, StoredEvent } from '@capflow/event-store';
import { formatAmount } from '@capflow/ledger';
import { DEFAULT_WINDOW_DAYS, PostingJournal } from '@capflow/projections';
import {
  BALANCES,
  BALANCES_SERIES,
  CIRCULAR_REVENUE,
  DEAL_LINKS,
  LedgerQueries,
  ROUND_TRIPS,
  ROUND_TRIPS_SERIES,
  selectionOf,
  seriesSelectionOf,
  Tabular,
} from '@capflow/queries';
import { frameWithReversals, viewEventOf } from '@capflow/read-models';

/** How a column is typed in Parquet: amounts as exact decimals, never floats. */
export type ColumnKind = 'text' | 'amount' | 'ratio' | 'integer';

/** One file of an export: its columns and its rows, produced in batches (a ledger's facts do not fit in memory). */
export interface ExportTable {
  name: string;
  columns: { name: string; kind: ColumnKind }[];
  batches(): AsyncIterable<string[][]>;
}

/**
 * Amounts keep every minor unit: the contract's amounts have at most 20 integer digits and 3
 * minor digits, and a report's sums stay well within 35 integer digits, so DECIMAL(38,3) holds
 * them all exactly (a currency with 2 minor digits reads 12.50 as 12.500).
 */
export const PARQUET_TYPES: Record<ColumnKind, string> = {
  text: 'VARCHAR',
  amount: 'DECIMAL(38,3)',
  ratio: 'DOUBLE',
  integer: 'BIGINT',
};

/** The columns of a report's table: its amounts as amounts, its other numbers (ratios) as ratios, the rest text. */
export function columnsOf(tabular: Pick<Tabular<unknown>, 'headers' | 'numeric' | 'amounts'>): ExportTable['columns'] {
  return tabular.headers.map((name, index) => ({
    name,
    kind: tabular.amounts.includes(index) ? 'amount' : tabular.numeric.includes(index) ? 'ratio' : 'text',
  }));
}

/** A report's table as one batch (reports fit in memory: they are read models). */
function reportTable<T>(name: string, tabular: Tabular<T>, report: () => Promise<T>): ExportTable {
  return {
    name,
    columns: columnsOf(tabular),
    async *batches() {
      yield tabular.rows(await report());
    },
  };
}

export const FACT_COLUMNS: ExportTable['columns'] = [
  { name: 'position', kind: 'integer' },
  { name: 'eventId', kind: 'text' },
  { name: 'streamId', kind: 'text' },
  { name: 'streamVersion', kind: 'integer' },
  { name: 'type', kind: 'text' },
  { name: 'schemaVersion', kind: 'integer' },
  // as the fact states it (RFC 3339, up to nanoseconds): a TIMESTAMP would round it to microseconds
  { name: 'occurredAt', kind: 'text' },
  { name: 'recordedAt', kind: 'text' },
  { name: 'source', kind: 'text' },
  { name: 'data', kind: 'text' },
  { name: 'metadata', kind: 'text' },
  { name: 'hash', kind: 'text' },
];

export function factRow(event: StoredEvent): string[] {
  return [
    String(event.position),
    event.eventId,
    event.streamId,
    String(event.streamVersion),
    event.type,
    String(event.schemaVersion),
    event.occurredAt,
    event.recordedAt,
    event.source,
    JSON.stringify(event.data),
    event.metadata === null ? '' : JSON.stringify(event.metadata),
    event.hash,
  ];
}

/** Every stored fact up to `head`, in position order, 10,000 at a time. */
async function* pagesOf(store: EventStore, head: number): AsyncIterable<StoredEvent[]> {
  for (let after = 0; after < head; ) {
    const page = await store.readAll({ after, limit: Math.min(10_000, head - after) });
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1].position;
  }
}

function factsTable(store: EventStore, head: number): ExportTable {
  return {
    name: 'facts',
    columns: FACT_COLUMNS,
    async *batches() {
      for await (const page of pagesOf(store, head)) yield page.map(factRow);
    },
  };
}

export const POSTING_COLUMNS: ExportTable['columns'] = [
  { name: 'position', kind: 'integer' },
  { name: 'eventId', kind: 'text' },
  { name: 'type', kind: 'text' },
  { name: 'occurredAt', kind: 'text' },
  { name: 'partyId', kind: 'text' },
  { name: 'currency', kind: 'text' },
  { name: 'debit', kind: 'text' },
  { name: 'credit', kind: 'text' },
  { name: 'amount', kind: 'amount' },
  // the position of the reversal that voids the entry (EVENTS.md: a reversed fact counts for
  // nothing in any view that knows of the reversal); empty for an entry that stands
  { name: 'reversedBy', kind: 'integer' },
];

/**
 * The journal up to `head`: every fact's double entries in position order. Summing debits less
 * credits of the entries that stand, per party, currency and account, gives the balances report.
 */
function postingsTable(store: EventStore, head: number): ExportTable {
  return {
    name: 'postings',
    columns: POSTING_COLUMNS,
    async *batches() {
      const { reversals } = await frameWithReversals(store, head);
      const journal = new PostingJournal();
      for await (const page of pagesOf(store, head)) {
        yield page.flatMap((stored) => {
          const reversedBy = reversals.get(eventKey(stored.eventId));
          return journal
            .entriesOf(viewEventOf(stored))
            .map((entry) => [
              String(stored.position),
              stored.eventId,
              stored.type,
              stored.occurredAt,
              entry.partyId,
              entry.currency,
              entry.debit,
              entry.credit,
              formatAmount(entry.amount, entry.currency),
              reversedBy === undefined ? '' : String(reversedBy),
            ]);
        });
      }
    },
  };
}

/**
 * What `capflow export` writes: the facts, their double entries, and the reports analysts join them with, as the
 * ledger stands at `head` (every report read from the same read models, caught up to the log).
 * Series and circular revenue by quarter; deal links with the contract's default window.
 */
export function exportTables(store: EventStore, queries: LedgerQueries, head: number): ExportTable[] {
  const current = selectionOf({});
  const quarters = () => seriesSelectionOf({ series: 'quarter' }, { series: 'series', from: 'from', to: 'to', asOf: 'asOf', knownAt: 'knownAt' });
  return [
    factsTable(store, head),
    postingsTable(store, head),
    reportTable('balances', BALANCES, () => queries.balances(current)),
    ...(['fifo', 'pro_rata'] as const).flatMap((policy) => [
      reportTable(`round_trips_${policy}`, ROUND_TRIPS, () => queries.roundTrips(policy, current)),
      reportTable(`circular_revenue_${policy}`, CIRCULAR_REVENUE, () => queries.circularRevenue(policy, 'quarter', current)),
      reportTable(`round_trips_series_${policy}`, ROUND_TRIPS_SERIES, () => queries.roundTripsSeries(policy, quarters())),
    ]),
    reportTable('deal_links', DEAL_LINKS, () => queries.dealLinks(DEFAULT_WINDOW_DAYS, current)),
    reportTable('balances_series', BALANCES_SERIES, () => queries.balancesSeries(quarters())),
  ];
}

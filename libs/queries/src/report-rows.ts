import { IDENTIFIER_PATTERN, isCurrencyCode } from '@capflow/contracts';
import type { BalancesReport, PartyBalances, RoundTripRow, RoundTripsReport } from '@capflow/projections';
import { QueryError, QueryErrorCode } from './query.errors';

/** The most rows one page holds. */
export const MAX_PAGE_ROWS = 10_000;

/**
 * Which rows of a report to answer: those matching every filter given, in the report's order (its
 * key's code points), at most `limit` of them after the row whose key is `after`. Without a limit
 * the whole report (filtered) is the answer. The cursor is the last row's key itself, so a page
 * is reproducible and says where it is; a row's key is unique in its report.
 */
export interface RowsRequest<F extends string> {
  limit: number | null;
  after: string | null;
  filters: Partial<Record<F, string>>;
}

/** What a paged answer adds to its report: the cursor of the next page, null on the last. */
export interface PageInfo {
  next: string | null;
}

export const ROUND_TRIP_FILTERS = ['investorGroup', 'investeeId', 'currency'] as const;
export type RoundTripFilter = (typeof ROUND_TRIP_FILTERS)[number];
export const BALANCE_FILTERS = ['partyId', 'group', 'currency'] as const;
export type BalanceFilter = (typeof BALANCE_FILTERS)[number];

/** How each parameter is called by the adapter that takes it (`--investor-group` on the command line). */
export type RowsNames<F extends string> = Record<F | 'limit' | 'after', string>;

/**
 * A rows request from an adapter's raw parameters, every one checked: `limit` a whole number from
 * 1 to MAX_PAGE_ROWS, `after` and the identifier filters identifiers (EVENTS.md), `currency` a
 * currency code; the detail of a refusal names the parameter as its user wrote it.
 */
export function rowsRequestOf<F extends string>(
  input: Partial<Record<F | 'limit' | 'after', string>>,
  filters: readonly F[],
  names: RowsNames<F>,
): RowsRequest<F> {
  const quoted = (value: string) => JSON.stringify(value.slice(0, 64));
  let limit: number | null = null;
  if (input.limit !== undefined) {
    if (!/^\d{1,6}$/.test(input.limit) || Number(input.limit) < 1 || Number(input.limit) > MAX_PAGE_ROWS) {
      throw new QueryError(
        QueryErrorCode.InvalidParameter,
        `${names.limit} takes a whole number from 1 to ${MAX_PAGE_ROWS}, not ${quoted(input.limit)}`,
      );
    }
    limit = Number(input.limit);
  }
  const identifier = (value: string, name: string) => {
    if (!IDENTIFIER_PATTERN.test(value))
      throw new QueryError(QueryErrorCode.InvalidParameter, `${name} ${quoted(value)} is not an identifier (EVENTS.md)`);
    return value;
  };
  const after = input.after === undefined ? null : identifier(input.after, names.after);
  const chosen: Partial<Record<F, string>> = {};
  for (const filter of filters) {
    const value = input[filter];
    if (value === undefined) continue;
    if (filter === 'currency') {
      if (!isCurrencyCode(value))
        throw new QueryError(QueryErrorCode.InvalidParameter, `${names[filter]} ${quoted(value)} is not a currency the ledger knows`);
      chosen[filter] = value;
    } else chosen[filter] = identifier(value, names[filter]);
  }
  return { limit, after, filters: chosen };
}

/** Whether a request asks for anything but the whole report. */
export function isWhole(request: RowsRequest<string>): boolean {
  return request.limit === null && request.after === null && Object.keys(request.filters).length === 0;
}

/** The round trips of a request: rows keyed by investmentId. */
export function roundTripRows(report: RoundTripsReport, request: RowsRequest<RoundTripFilter>): RoundTripsReport & Partial<PageInfo> {
  const { investorGroup, investeeId, currency } = request.filters;
  const keep = (row: RoundTripRow) =>
    (investorGroup === undefined || row.investorGroup === investorGroup) &&
    (investeeId === undefined || row.investeeId === investeeId) &&
    (currency === undefined || row.currency === currency);
  const { rows, next } = page(report.investments, (row) => row.investmentId, keep, request);
  return { ...report, investments: rows, ...next };
}

/** The balances of a request: parties keyed by partyId; a currency filter keeps only that currency's accounts. */
export function balanceRows(report: BalancesReport, request: RowsRequest<BalanceFilter>): BalancesReport & Partial<PageInfo> {
  const { partyId, group, currency } = request.filters;
  const parties =
    currency === undefined
      ? report.parties
      : report.parties.flatMap((party) =>
          party.balances[currency] ? [{ ...party, balances: { [currency]: party.balances[currency] } }] : [],
        );
  const keep = (party: PartyBalances) =>
    (partyId === undefined || party.partyId === partyId) && (group === undefined || party.group === group);
  const { rows, next } = page(parties, (party) => party.partyId, keep, request);
  return { ...report, parties: rows, ...next };
}

/**
 * A series' points filtered like one report each; a series is answered whole, so a page of it
 * (`limit`, `after`) is refused, naming the parameter.
 */
export function seriesRows<F extends string, S extends { points: { asOf: string }[] }>(
  series: S,
  request: RowsRequest<F>,
  names: Pick<RowsNames<F>, 'limit' | 'after'>,
  rowsOf: (point: S['points'][number]) => S['points'][number],
): S {
  for (const name of ['limit', 'after'] as const) {
    if (request[name] !== null) throw new QueryError(QueryErrorCode.InvalidParameter, `${names[name]} pages one report; a series is answered whole`);
  }
  return { ...series, points: series.points.map(rowsOf) };
}

/**
 * The rows matching `keep`, after the cursor, at most `limit`. Rows are in code-point order of
 * their key, so the first row after the cursor is found by binary search; `next` is given only
 * when a limit was asked for.
 */
function page<T>(
  rows: readonly T[],
  keyOf: (row: T) => string,
  keep: (row: T) => boolean,
  request: RowsRequest<string>,
): { rows: T[]; next?: PageInfo } {
  let start = 0;
  if (request.after !== null) {
    const after = request.after;
    let high = rows.length;
    while (start < high) {
      const middle = (start + high) >>> 1;
      if (keyOf(rows[middle]) <= after) start = middle + 1;
      else high = middle;
    }
  }
  const limit = request.limit ?? Number.POSITIVE_INFINITY;
  const chosen: T[] = [];
  let index = start;
  for (; index < rows.length && chosen.length < limit; index++) if (keep(rows[index])) chosen.push(rows[index]);
  if (request.limit === null) return { rows: chosen };
  // a next page only if a row after the last one chosen is kept too
  while (index < rows.length && !keep(rows[index])) index += 1;
  return { rows: chosen, next: { next: index < rows.length && chosen.length > 0 ? keyOf(chosen[chosen.length - 1]) : null } };
}

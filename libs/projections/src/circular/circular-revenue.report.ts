import type { CurrencyCode } from '@capflow/contracts';
import { formatAmount, parseAmount } from '@capflow/ledger';
import { codePointOrder } from '../balances/balances.projection';
import { roundTripRatio } from '../tracing/round-trips.report';
import type { Policy } from '../tracing/tracer';
import type { CircularCash, RevenueArrivals } from './circular-revenue.projection';

export type RevenuePeriod = 'month' | 'quarter' | 'year';
export const REVENUE_PERIODS: readonly RevenuePeriod[] = ['month', 'quarter', 'year'];

export interface CircularRevenueRow {
  providerGroup: string;
  customerGroup: string;
  currency: string;
  period: string;
  receivedCash: string;
  circularCash: string;
  receivedCredits: string;
  circularCredits: string;
  circularShare: number | null;
}

export interface CircularRevenueReport {
  policy: Policy;
  period: RevenuePeriod;
  asOf: string | null;
  rows: CircularRevenueRow[];
}

/** A cell's figures in minor units, at some period. */
interface Sums {
  providerGroup: string;
  customerGroup: string;
  currency: CurrencyCode;
  period: string;
  receivedCash: bigint;
  circularCash: bigint;
  receivedCredits: bigint;
  circularCredits: bigint;
}

/** The period a UTC month (`2025-07`) falls in: itself, `2025-Q3` or `2025`. */
export function periodOfMonth(month: string, period: RevenuePeriod): string {
  if (period === 'month') return month;
  const year = month.slice(0, 4);
  return period === 'year' ? year : `${year}-Q${Math.ceil(Number(month.slice(5, 7)) / 3)}`;
}

/** The report from a view's arrivals and one policy's circular cash. */
export function circularRevenueReport(
  policy: Policy,
  period: RevenuePeriod,
  asOf: string | null,
  arrivals: RevenueArrivals,
  cash: CircularCash,
): CircularRevenueReport {
  const months: Sums[] = [];
  for (const cell of arrivals.cells.values()) {
    if (cell.arrivals <= 0) continue;
    months.push({ ...cell, period: cell.month, circularCash: cash.of(cell) });
  }
  return { policy, period, asOf, rows: rowsAt(months, period) };
}

/**
 * The same report at a coarser period, from the report by month (what the read model stores):
 * months add up exactly to quarters and years.
 */
export function regroupCircularRevenue(byMonth: CircularRevenueReport, period: RevenuePeriod): CircularRevenueReport {
  if (byMonth.period !== 'month') throw new Error('circular revenue regroups from its report by month');
  const months = byMonth.rows.map((row): Sums => {
    const currency = row.currency as CurrencyCode;
    const minor = (amount: string) => parseAmount(amount, currency);
    return {
      providerGroup: row.providerGroup,
      customerGroup: row.customerGroup,
      currency,
      period: row.period,
      receivedCash: minor(row.receivedCash),
      circularCash: minor(row.circularCash),
      receivedCredits: minor(row.receivedCredits),
      circularCredits: minor(row.circularCredits),
    };
  });
  return { ...byMonth, period, rows: rowsAt(months, period) };
}

function rowsAt(months: readonly Sums[], period: RevenuePeriod): CircularRevenueRow[] {
  const sums = new Map<string, Sums>();
  for (const month of months) {
    const at = periodOfMonth(month.period, period);
    const key = `${month.providerGroup}\u0000${month.customerGroup}\u0000${month.currency}\u0000${at}`;
    const sum = sums.get(key);
    if (!sum) {
      sums.set(key, { ...month, period: at });
      continue;
    }
    sum.receivedCash += month.receivedCash;
    sum.circularCash += month.circularCash;
    sum.receivedCredits += month.receivedCredits;
    sum.circularCredits += month.circularCredits;
  }
  return [...sums.values()]
    .sort(
      (a, b) =>
        codePointOrder(a.providerGroup, b.providerGroup) ||
        codePointOrder(a.customerGroup, b.customerGroup) ||
        codePointOrder(a.currency, b.currency) ||
        codePointOrder(a.period, b.period),
    )
    .map((sum) => ({
      providerGroup: sum.providerGroup,
      customerGroup: sum.customerGroup,
      currency: sum.currency,
      period: sum.period,
      receivedCash: formatAmount(sum.receivedCash, sum.currency),
      circularCash: formatAmount(sum.circularCash, sum.currency),
      receivedCredits: formatAmount(sum.receivedCredits, sum.currency),
      circularCredits: formatAmount(sum.circularCredits, sum.currency),
      circularShare: roundTripRatio(sum.circularCash + sum.circularCredits, sum.receivedCash + sum.receivedCredits),
    }));
}

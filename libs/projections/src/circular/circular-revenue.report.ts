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

/**
 * What the read model stores: every cell by month, in order, with both policies' circular cash
 * beside the figures that do not depend on the policy, amounts as decimal strings. One compact
 * document for every period and policy.
 */
export interface CircularRevenueCells {
  /** [providerGroup, customerGroup, currency, month, receivedCash, receivedCredits, circularCredits, fifo circularCash, pro_rata circularCash] */
  cells: [string, string, string, string, string, string, string, string, string][];
}

export function circularRevenueCells(arrivals: RevenueArrivals, cash: Readonly<Record<Policy, CircularCash>>): CircularRevenueCells {
  const cells: CircularRevenueCells['cells'] = [];
  for (const cell of arrivals.cells) {
    if (cell.arrivals <= 0) continue;
    const amount = (value: bigint) => formatAmount(value, cell.currency);
    cells.push([
      cell.providerGroup,
      cell.customerGroup,
      cell.currency,
      cell.month,
      amount(cell.receivedCash),
      amount(cell.receivedCredits),
      amount(cell.circularCredits),
      amount(cash.fifo.of(cell)),
      amount(cash.pro_rata.of(cell)),
    ]);
  }
  // the arrivals' order depends on how the view was filled (recorded or business order): a read model's must not
  cells.sort((a, b) => codePointOrder(a[0], b[0]) || codePointOrder(a[1], b[1]) || codePointOrder(a[2], b[2]) || codePointOrder(a[3], b[3]));
  return { cells };
}

/** The report under one policy, per period, from the stored cells. */
export function circularRevenueOfCells(stored: CircularRevenueCells, policy: Policy, period: RevenuePeriod, asOf: string | null): CircularRevenueReport {
  const months = stored.cells.map(([providerGroup, customerGroup, code, month, receivedCash, receivedCredits, circularCredits, fifo, proRata]): Sums => {
    const currency = code as CurrencyCode;
    const minor = (amount: string) => parseAmount(amount, currency);
    return {
      providerGroup,
      customerGroup,
      currency,
      period: month,
      receivedCash: minor(receivedCash),
      circularCash: minor(policy === 'fifo' ? fifo : proRata),
      receivedCredits: minor(receivedCredits),
      circularCredits: minor(circularCredits),
    };
  });
  return { policy, period, asOf, rows: rowsAt(months, period) };
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

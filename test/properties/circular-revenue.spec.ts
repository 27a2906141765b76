import { CurrencyCode } from '@capflow/contracts';
import { parseAmount } from '@capflow/ledger';
import { computeLedgerView, POLICIES, REVENUE_PERIODS } from '@capflow/projections';
import fc from 'fast-check';
import { runs, scenarios } from '../support/scenarios';

const SIZE = { min: 150, max: 350 };

/** Sums of amount fields per (group, currency). */
function sums<T extends { currency: string }>(rows: readonly T[], groupOf: (row: T) => string, fields: (keyof T)[]): Map<string, bigint[]> {
  const result = new Map<string, bigint[]>();
  for (const row of rows) {
    const key = `${groupOf(row)} ${row.currency}`;
    const values = fields.map((field) => parseAmount(row[field] as string, row.currency as CurrencyCode));
    const sum = result.get(key);
    if (sum) values.forEach((value, i) => (sum[i] += value));
    else result.set(key, values);
  }
  // groups whose figures are all zero are no evidence either way
  return new Map([...result].filter(([, values]) => values.some((value) => value !== 0n)));
}

describe('property: circular revenue (TRACING.md 1.1)', () => {
  it("summed per provider group, equals the group's investments' returnedCash and returnedCredits, under both policies and every period", () => {
    let compared = 0;
    fc.assert(
      fc.property(scenarios(SIZE), (scenario) => {
        const view = computeLedgerView(scenario.events);
        for (const policy of POLICIES) {
          const trips = view.roundTripsReport(policy, null).investments;
          const returned = sums(trips, (row) => row.investorGroup, ['returnedCash', 'returnedCredits']);
          for (const period of REVENUE_PERIODS) {
            const report = view.circularRevenueReport(policy, period, null);
            for (const row of report.rows) expect(row.providerGroup).not.toBe(row.customerGroup);
            expect(sums(report.rows, (row) => row.providerGroup, ['circularCash', 'circularCredits'])).toEqual(returned);
          }
          if (returned.size > 0) compared += 1;
        }
      }),
      runs(60),
    );
    // the property compared something: most ledgers have money coming home
    expect(compared).toBeGreaterThan(10);
  });
});

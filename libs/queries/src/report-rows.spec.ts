import type { BalancesReport, RoundTripRow, RoundTripsReport } from '@capflow/projections';
import fc from 'fast-check';
import { QueryError } from './query.errors';
import {
  balanceRows,
  isWhole,
  MAX_PAGE_ROWS,
  ROUND_TRIP_FILTERS,
  roundTripRows,
  RowsRequest,
  rowsRequestOf,
  RoundTripFilter,
} from './report-rows';

const NAMES = {
  limit: '--limit',
  after: '--after',
  investorGroup: '--investor-group',
  investeeId: '--investee-id',
  currency: '--currency',
};

function row(investmentId: string, investorGroup: string, investeeId: string, currency: string): RoundTripRow {
  const zero = '0.00';
  return {
    investmentId,
    investorId: `${investorGroup}-fund`,
    investorGroup,
    investeeId,
    currency,
    committed: zero,
    fundedCash: zero,
    fundedCredits: zero,
    returnedCash: zero,
    returnedCapital: zero,
    returnedCredits: zero,
    roundTripRatio: null,
    commitmentsToInvestorGroup: zero,
  };
}

const report = (investments: RoundTripRow[]): RoundTripsReport => ({ policy: 'fifo', asOf: null, investments });

/** Every page from the first, following `next` until it is null. */
function allPages(whole: RoundTripsReport, request: RowsRequest<RoundTripFilter>): { rows: RoundTripRow[]; pages: number } {
  const rows: RoundTripRow[] = [];
  let after: string | null = null;
  for (let pages = 1; ; pages++) {
    const page = roundTripRows(whole, { ...request, after });
    rows.push(...page.investments);
    expect(page.investments.length).toBeLessThanOrEqual(request.limit!);
    if (page.next === null) return { rows, pages };
    expect(page.next).toBe(page.investments[page.investments.length - 1].investmentId);
    after = page.next!;
  }
}

describe('roundTripRows', () => {
  const rows = fc
    .uniqueArray(
      fc.record({
        id: fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/),
        group: fc.constantFrom('amazon', 'google', 'nvidia'),
        investee: fc.constantFrom('openai', 'anthropic'),
        currency: fc.constantFrom('USD', 'EUR'),
      }),
      { selector: (r) => r.id, maxLength: 40 },
    )
    .map((records) => records.sort((a, b) => (a.id < b.id ? -1 : 1)).map((r) => row(r.id, r.group, r.investee, r.currency)));

  it('pages of any size, followed by their cursors, give exactly the filtered report, each row once', () => {
    fc.assert(
      fc.property(
        rows,
        fc.integer({ min: 1, max: 7 }),
        fc.record({
          investorGroup: fc.option(fc.constantFrom('amazon', 'google'), { nil: undefined }),
          currency: fc.option(fc.constant('USD'), { nil: undefined }),
        }),
        (investments, limit, filters) => {
          const defined = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined));
          const whole = report(investments);
          const expected = investments.filter(
            (r) =>
              (!filters.investorGroup || r.investorGroup === filters.investorGroup) &&
              (!filters.currency || r.currency === filters.currency),
          );
          const { rows: paged, pages } = allPages(whole, { limit, after: null, filters: defined });
          expect(paged).toEqual(expected);
          expect(pages).toBe(Math.max(1, Math.ceil(expected.length / limit)));
          // without a limit: the filtered whole, and no cursor
          const unpaged = roundTripRows(whole, { limit: null, after: null, filters: defined });
          expect(unpaged.investments).toEqual(expected);
          expect(unpaged).not.toHaveProperty('next');
        },
      ),
    );
  });

  it('starts after a cursor that is not itself a row, and keeps the rest of the report as it was', () => {
    const whole = report([row('a', 'amazon', 'openai', 'USD'), row('c', 'amazon', 'openai', 'USD'), row('e', 'google', 'openai', 'USD')]);
    const page = roundTripRows(whole, { limit: 1, after: 'b', filters: {} });
    expect(page.investments.map((r) => r.investmentId)).toEqual(['c']);
    expect(page.next).toBe('c');
    expect(page.policy).toBe('fifo');
    expect(roundTripRows(whole, { limit: 5, after: 'e', filters: {} })).toEqual({ ...whole, investments: [], next: null });
  });
});

describe('balanceRows', () => {
  const balances: BalancesReport = {
    asOf: null,
    parties: [
      { partyId: 'amazon', group: 'amazon', balances: { EUR: { cash: '1.00' }, USD: { cash: '-5.00', investments: '5.00' } } },
      { partyId: 'aws', group: 'amazon', balances: { USD: { cash: '2.00' } } },
      { partyId: 'openai', group: 'openai', balances: { EUR: { cash: '3.00' } } },
    ],
  };

  it('filters by group and currency: a party keeps only that currency, and one without it is left out', () => {
    const answer = balanceRows(balances, { limit: null, after: null, filters: { group: 'amazon', currency: 'EUR' } });
    expect(answer.parties).toEqual([{ partyId: 'amazon', group: 'amazon', balances: { EUR: { cash: '1.00' } } }]);
  });

  it('pages by partyId', () => {
    const first = balanceRows(balances, { limit: 2, after: null, filters: {} });
    expect(first.parties.map((p) => p.partyId)).toEqual(['amazon', 'aws']);
    expect(first.next).toBe('aws');
    const second = balanceRows(balances, { limit: 2, after: 'aws', filters: {} });
    expect(second.parties.map((p) => p.partyId)).toEqual(['openai']);
    expect(second.next).toBeNull();
  });
});

describe('rowsRequestOf', () => {
  it('reads the parameters, and knows a whole-report request', () => {
    const request = rowsRequestOf({ limit: '100', after: 'amzn-oai', investorGroup: 'amazon', currency: 'USD' }, ROUND_TRIP_FILTERS, NAMES);
    expect(request).toEqual({ limit: 100, after: 'amzn-oai', filters: { investorGroup: 'amazon', currency: 'USD' } });
    expect(isWhole(request)).toBe(false);
    expect(isWhole(rowsRequestOf({}, ROUND_TRIP_FILTERS, NAMES))).toBe(true);
  });

  it.each([
    [{ limit: '0' }, /^--limit takes a whole number from 1 to 10000/],
    [{ limit: String(MAX_PAGE_ROWS + 1) }, /^--limit takes a whole number/],
    [{ limit: '1e3' }, /^--limit takes a whole number/],
    [{ limit: '-5' }, /^--limit takes a whole number/],
    [{ after: '../etc' }, /^--after "..\/etc" is not an identifier/],
    [{ investorGroup: 'a b' }, /^--investor-group "a b" is not an identifier/],
    [{ currency: 'usd' }, /^--currency "usd" is not a currency the ledger knows/],
    [{ investeeId: '__proto__x'.repeat(20) }, /^--investee-id ".{64}" is not an identifier/],
  ])('refuses %j, naming the parameter', (input, message) => {
    const attempt = () => rowsRequestOf(input, ROUND_TRIP_FILTERS, NAMES);
    expect(attempt).toThrow(QueryError);
    expect(attempt).toThrow(message);
  });
});

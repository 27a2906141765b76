import { asCsv, ROUND_TRIPS, ROUND_TRIPS_SERIES, TRACE } from '@capflow/queries';
import type { RoundTripsReport, TraceReport } from '@capflow/projections';
import { asTable } from './print-report';

const ROUND_TRIP: RoundTripsReport['investments'][number] = {
  investmentId: 'amzn-ant-2023',
  investorId: 'amzn',
  investorGroup: 'amazon',
  investeeId: 'anthropic',
  currency: 'USD',
  committed: '4000000000.00',
  fundedCash: '4000000000.00',
  fundedCredits: '0.00',
  returnedCash: '-1234.50',
  returnedCapital: '999.99',
  returnedCredits: '0.00',
  roundTripRatio: 1234.758463,
  commitmentsToInvestorGroup: '100000000000.00',
};

describe('asTable', () => {
  it('groups the digits of amount columns, and of no other', () => {
    const table = asTable(ROUND_TRIPS, { policy: 'fifo', asOf: null, investments: [ROUND_TRIP] });
    const row = table.split('\n')[2].split(/\s{2,}/);
    expect(row).toEqual([
      'amzn-ant-2023',
      'amzn',
      'amazon',
      'anthropic',
      'USD',
      '4,000,000,000.00',
      '4,000,000,000.00',
      '0.00',
      '-1,234.50',
      '999.99',
      '0.00',
      '1234.758463',
      '100,000,000,000.00',
    ]);
  });

  it('keeps the amount columns of a series, one to the right of its asOf', () => {
    const table = asTable(ROUND_TRIPS_SERIES, {
      policy: 'fifo',
      series: 'year',
      points: [{ asOf: '2025-12-31', investments: [ROUND_TRIP] }],
    });
    expect(table.split('\n')[2]).toMatch(/^2025-12-31\s+amzn-ant-2023 .* 4,000,000,000\.00 .* 1234\.758463\s+100,000,000,000\.00$/);
  });

  it('leaves positions alone', () => {
    const flow = {
      position: 123456,
      eventId: 'pay-1',
      occurredAt: '2025-01-01T00:00:00Z',
      type: 'PaymentSent',
      from: 'a',
      to: 'b',
      amount: { fifo: '1000.000', pro_rata: '1000000' }, // three minor digits, and none
      returned: { fifo: true, pro_rata: false },
    };
    const report: TraceReport = { asOf: null, investmentId: 'x', currency: 'KWD', flows: [flow], holdings: { fifo: [], pro_rata: [] } };
    const table = asTable(TRACE, report);
    expect(
      table
        .split('\n')[2]
        .trim()
        .split(/\s{2,}/),
    ).toEqual(['123456', '2025-01-01T00:00:00Z', 'PaymentSent', 'a', 'b', '1,000.000', '1,000,000', 'yes/no']);
  });

  it('is for tables only: CSV carries the amounts as stated', () => {
    const csv = asCsv(ROUND_TRIPS, { policy: 'fifo', asOf: null, investments: [ROUND_TRIP] });
    expect(csv).toContain('4000000000.00,4000000000.00,0.00,-1234.50,999.99,0.00,1234.758463,100000000000.00');
  });
});

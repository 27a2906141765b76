import { instantKey } from '@capflow/contracts';
import { exampleEvents, expectedReports } from '../testing/example-events';
import { computeLedgerView } from './view-selection';

describe('the worked example', () => {
  const expected = expectedReports();
  const view = computeLedgerView(exampleEvents());

  it('gives the expected balances', () => {
    expect(view.balancesReport(null)).toEqual(expected.balances);
    expect(view.balances.trialBalanceHolds()).toBe(true);
  });

  it.each(['fifo', 'pro_rata'] as const)('gives the expected round trips under %s', (policy) => {
    expect(view.roundTripsReport(policy, null)).toEqual(expected[policy]);
  });

  it('lists a party once registered, an investment once committed, as of a business time', () => {
    const early = computeLedgerView(exampleEvents(), { asOf: instantKey('2025-11-04T09:00:00Z') });
    expect(early.roundTripsReport('fifo', '2025-11-04T09:00:00Z').investments.map((row) => row.investmentId)).toEqual(['amzn-oai']);
    // by day 4 OpenAI had paid Nvidia 50 (the late day-3 payment) from its untraced 100; its 200 to AWS
    // took the other 50 untraced, then 150 of Amazon's money
    const row = early.roundTripsReport('fifo', null).investments[0];
    expect(row).toMatchObject({ fundedCash: '600.00', fundedCredits: '400.00', returnedCredits: '300.00', returnedCash: '150.00' });
  });

  it('voids a reversed event only in views that know the reversal', () => {
    const payment = exampleEvents().find((e) => e.event.eventId.endsWith('015'))!;
    const before = computeLedgerView(exampleEvents(), { knownAtPosition: 21 });
    const after = computeLedgerView(exampleEvents(), { knownAtPosition: 22 });
    expect(payment.position).toBe(21);
    const nvidiaRevenue = (view: ReturnType<typeof computeLedgerView>) =>
      view.balancesReport(null).parties.find((p) => p.partyId === 'nvidia')!.balances.USD.other_revenue;
    expect(nvidiaRevenue(before)).toBe('425.00');
    expect(nvidiaRevenue(after)).toBe('400.00');
  });

  it("traces an investment's money under both policies, and says where it is now", () => {
    const traced = computeLedgerView(exampleEvents(), {}, { traceInvestment: 'nvda-oai' });
    const trace = traced.traceReport(null)!;
    expect(trace.flows[0]).toMatchObject({ type: 'InvestmentFunded', from: 'nvidia', to: 'openai', amount: { fifo: '500.00', pro_rata: '500.00' } });
    const toOracle = trace.flows.find((flow) => flow.to === 'oracle')!;
    expect(toOracle.amount.fifo).toBe('0.00'); // fifo pays Oracle with Amazon's (older) money
    expect(toOracle.amount.pro_rata).not.toBe('0.00');
    const home = trace.flows.filter((flow) => flow.returned.pro_rata);
    expect(home.map((flow) => [flow.from, flow.to])).toEqual([['oracle', 'nvidia']]);
    // fifo: the day-8 settlement of 300 took Amazon's last 50, then 250 of Nvidia's money to AWS
    expect(trace.holdings.fifo).toEqual([
      { partyId: 'aws', amount: '250.00' },
      { partyId: 'openai', amount: '250.00' },
    ]);
  });
});

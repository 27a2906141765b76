import { RejectionCode } from '@capflow/contracts';
import { eur, fact, LedgerScenario, registry, usd } from '../testing/ledger-scenario';

const committed = () =>
  fact(
    'InvestmentCommitted',
    { investmentId: 'amzn-oai', investorId: 'amazon', investeeId: 'openai', amount: usd('1000.00'), instrument: 'equity' },
    '2025-11-01T09:00:00Z',
  );
const fund = (trancheId: string, amount = usd('100.00'), occurredAt = '2025-11-02T09:00:00Z') =>
  fact('InvestmentFunded', { investmentId: 'amzn-oai', trancheId, amount }, occurredAt);

describe('InvestmentFunded', () => {
  it('accepts a tranche within the commitment, to the investment stream', () => {
    expect(LedgerScenario.given(...registry(), committed()).when(fund('t1'))).toEqual({ accepted: true, streamId: 'investment-amzn-oai' });
  });

  it('refuses an unknown investment: unknown_reference', () => {
    expect(
      LedgerScenario.given(...registry()).rejectionOf(fact('InvestmentFunded', { investmentId: 'x', trancheId: 't1', amount: usd('1') }))
        ?.reason,
    ).toBe(RejectionCode.UnknownReference);
  });

  it('refuses a tranche id taken in this investment: duplicate_id', () => {
    const scenario = LedgerScenario.given(...registry(), committed(), fund('t1'));
    expect(scenario.rejectionOf(fund('t1'))?.reason).toBe(RejectionCode.DuplicateId);
  });

  it('keeps a tranche id taken after its funding is reversed', () => {
    const first = fund('t1');
    const scenario = LedgerScenario.given(...registry(), committed(), first);
    scenario.when(fact('EventReversed', { reversedEventId: first.eventId, reason: 'wrong' }));
    expect(scenario.rejectionOf(fund('t1'))?.reason).toBe(RejectionCode.DuplicateId);
  });

  it('refuses another currency: currency_mismatch', () => {
    expect(LedgerScenario.given(...registry(), committed()).rejectionOf(fund('t2', eur('0.50')))?.reason).toBe(RejectionCode.CurrencyMismatch);
  });

  it('checks the tranche id before the currency', () => {
    const scenario = LedgerScenario.given(...registry(), committed(), fund('t1'));
    expect(scenario.rejectionOf(fund('t1', eur('1')))?.reason).toBe(RejectionCode.DuplicateId);
  });

  it('accepts funding up to the commitment exactly and refuses one unit more: limit_exceeded', () => {
    const scenario = LedgerScenario.given(...registry(), committed(), fund('t1', usd('999.99')));
    expect(scenario.rejectionOf(fund('t2', usd('0.02')))?.reason).toBe(RejectionCode.LimitExceeded);
    expect(scenario.when(fund('t3', usd('0.01'))).accepted).toBe(true);
  });

  it('counts credits granted against the investment toward the limit', () => {
    const scenario = LedgerScenario.given(
      ...registry(),
      committed(),
      fact('ComputeCreditsGranted', { grantId: 'g', providerId: 'aws', recipientId: 'openai', amount: usd('400'), investmentId: 'amzn-oai' }),
      fund('t1', usd('600')),
    );
    expect(scenario.rejectionOf(fund('t2', usd('0.01')))?.reason).toBe(RejectionCode.LimitExceeded);
  });

  it('gives back the room of a reversed funding', () => {
    const big = fund('t1', usd('1000'));
    const scenario = LedgerScenario.given(...registry(), committed(), big, fact('EventReversed', { reversedEventId: big.eventId, reason: 'x' }));
    expect(scenario.when(fund('t2', usd('1000'))).accepted).toBe(true);
  });

  it('refuses a funding dated before its investment: occurred_before_reference', () => {
    expect(
      LedgerScenario.given(...registry(), committed()).rejectionOf(fund('t1', usd('1'), '2025-10-31T09:00:00Z'))?.reason,
    ).toBe(RejectionCode.OccurredBeforeReference);
  });

  it('compares times as instants, whatever the offset', () => {
    // 10:00+02:00 is 08:00Z, before the 09:00Z commitment; 11:00+02:00 is 09:00Z, not before it
    const scenario = LedgerScenario.given(...registry(), committed());
    expect(scenario.rejectionOf(fund('t1', usd('1'), '2025-11-01T10:00:00+02:00'))?.reason).toBe(RejectionCode.OccurredBeforeReference);
    expect(scenario.when(fund('t2', usd('1'), '2025-11-01T11:00:00+02:00')).accepted).toBe(true);
  });

  it('checks occurred_before_reference last', () => {
    expect(
      LedgerScenario.given(...registry(), committed()).rejectionOf(fund('t1', usd('5000'), '2025-10-01T00:00:00Z'))?.reason,
    ).toBe(RejectionCode.LimitExceeded);
  });
});

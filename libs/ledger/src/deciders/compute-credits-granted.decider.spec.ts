import { RejectionCode } from '@capflow/contracts';
import { eur, fact, LedgerScenario, registry, usd, TestMoney } from '../testing/ledger-scenario';

const committed = () =>
  fact('InvestmentCommitted', { investmentId: 'amzn-oai', investorId: 'amazon', investeeId: 'openai', amount: usd('1000'), instrument: 'equity' });
const grant = (data: Partial<{ grantId: string; providerId: string; recipientId: string; investmentId: string; amount: TestMoney }>, occurredAt?: string) =>
  fact('ComputeCreditsGranted', { grantId: 'g1', providerId: 'aws', recipientId: 'openai', amount: usd('400'), ...data }, occurredAt);

describe('ComputeCreditsGranted', () => {
  const given = () => LedgerScenario.given(...registry(), committed());

  it('accepts a grant without an investment, to the grant stream', () => {
    expect(given().when(grant({}))).toEqual({ accepted: true, streamId: 'grant-g1' });
  });

  it('accepts a grant linked to an investment from the investor group to the investee', () => {
    expect(given().when(grant({ investmentId: 'amzn-oai' })).accepted).toBe(true);
  });

  it('refuses a grantId that exists: duplicate_id', () => {
    const scenario = given();
    scenario.when(grant({}));
    expect(scenario.rejectionOf(grant({ providerId: 'nvidia' }))?.reason).toBe(RejectionCode.DuplicateId);
  });

  it.each([
    ['provider', { providerId: 'nobody' }],
    ['recipient', { recipientId: 'nobody' }],
  ])('refuses an unregistered %s: unknown_reference', (_, data) => {
    expect(given().rejectionOf(grant(data))?.reason).toBe(RejectionCode.UnknownReference);
  });

  it('refuses credits to oneself: invalid_relationship', () => {
    expect(given().rejectionOf(grant({ recipientId: 'aws' }))?.reason).toBe(RejectionCode.InvalidRelationship);
  });

  it('refuses an unknown investment: unknown_reference', () => {
    expect(given().rejectionOf(grant({ investmentId: 'nope' }))?.reason).toBe(RejectionCode.UnknownReference);
  });

  it("refuses a provider outside the investor's group: invalid_relationship", () => {
    expect(given().rejectionOf(grant({ providerId: 'nvidia', investmentId: 'amzn-oai' }))?.reason).toBe(RejectionCode.InvalidRelationship);
  });

  it('refuses a recipient other than the investee: invalid_relationship', () => {
    expect(given().rejectionOf(grant({ recipientId: 'nvidia', investmentId: 'amzn-oai' }))?.reason).toBe(RejectionCode.InvalidRelationship);
  });

  it("refuses another currency than the investment's: currency_mismatch", () => {
    expect(given().rejectionOf(grant({ investmentId: 'amzn-oai', amount: eur('1') }))?.reason).toBe(RejectionCode.CurrencyMismatch);
  });

  it('refuses credits that would fund beyond the commitment: limit_exceeded', () => {
    const scenario = LedgerScenario.given(
      ...registry(),
      committed(),
      fact('InvestmentFunded', { investmentId: 'amzn-oai', trancheId: 't1', amount: usd('700') }),
    );
    expect(scenario.rejectionOf(grant({ investmentId: 'amzn-oai', amount: usd('300.01') }))?.reason).toBe(RejectionCode.LimitExceeded);
    expect(scenario.when(grant({ investmentId: 'amzn-oai', amount: usd('300') })).accepted).toBe(true);
  });

  it('does not limit grants without an investment', () => {
    expect(given().when(grant({ amount: usd('99999999999') })).accepted).toBe(true);
  });

  it('refuses a linked grant dated before its investment: occurred_before_reference', () => {
    expect(given().rejectionOf(grant({ investmentId: 'amzn-oai' }, '2025-10-01T00:00:00Z'))?.reason).toBe(RejectionCode.OccurredBeforeReference);
    expect(given().when(grant({}, '2025-10-01T00:00:00Z')).accepted).toBe(true);
  });
});

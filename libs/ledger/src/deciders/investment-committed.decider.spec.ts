import { RejectionCode } from '@capflow/contracts';
import { fact, LedgerScenario, registry, usd } from '../testing/ledger-scenario';

const commit = (investmentId: string, investorId: string, investeeId: string) =>
  fact('InvestmentCommitted', { investmentId, investorId, investeeId, amount: usd('1000'), instrument: 'equity' });

describe('InvestmentCommitted', () => {
  it('accepts an investment across groups, to the investment stream', () => {
    expect(LedgerScenario.given(...registry()).when(commit('amzn-oai', 'amazon', 'openai'))).toEqual({
      accepted: true,
      streamId: 'investment-amzn-oai',
    });
  });

  it('refuses an investmentId that exists: duplicate_id', () => {
    const scenario = LedgerScenario.given(...registry(), commit('amzn-oai', 'amazon', 'openai'));
    expect(scenario.rejectionOf(commit('amzn-oai', 'nvidia', 'openai'))?.reason).toBe(RejectionCode.DuplicateId);
  });

  it.each([
    ['investor', commit('i', 'nobody', 'openai'), 'investorId'],
    ['investee', commit('i', 'amazon', 'nobody'), 'investeeId'],
  ])('refuses an unregistered %s: unknown_reference', (_, event, field) => {
    expect(LedgerScenario.given(...registry()).rejectionOf(event)).toEqual({
      reason: RejectionCode.UnknownReference,
      detail: expect.stringContaining(field),
    });
  });

  it('refuses an investment inside one group: invalid_relationship', () => {
    expect(LedgerScenario.given(...registry()).rejectionOf(commit('i', 'amazon', 'aws'))?.reason).toBe(RejectionCode.InvalidRelationship);
    expect(LedgerScenario.given(...registry()).rejectionOf(commit('i', 'openai', 'openai'))?.reason).toBe(RejectionCode.InvalidRelationship);
  });

  it('checks the investor before the investee', () => {
    expect(LedgerScenario.given(...registry()).rejectionOf(commit('i', 'nobody', 'none'))?.detail).toContain('investorId');
  });
});

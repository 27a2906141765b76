import { RejectionCode } from '@capflow/contracts';
import { fact, LedgerScenario, registry, usd } from '../testing/ledger-scenario';

describe('OpeningBalanceRecorded', () => {
  it("goes to the party's stream", () => {
    expect(LedgerScenario.given(...registry()).when(fact('OpeningBalanceRecorded', { partyId: 'openai', amount: usd('100.00') }))).toEqual({
      accepted: true,
      streamId: 'party-openai',
    });
  });

  it('refuses a party that is not registered: unknown_reference', () => {
    expect(LedgerScenario.given(...registry()).rejectionOf(fact('OpeningBalanceRecorded', { partyId: 'xai', amount: usd('1') }))?.reason).toBe(
      RejectionCode.UnknownReference,
    );
  });
});

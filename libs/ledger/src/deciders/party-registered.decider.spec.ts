import { RejectionCode } from '@capflow/contracts';
import { fact, LedgerScenario } from '../testing/ledger-scenario';

describe('PartyRegistered', () => {
  it('registers a party in its own group, to its own stream', () => {
    const scenario = LedgerScenario.given();
    expect(scenario.when(fact('PartyRegistered', { partyId: 'openai', name: 'OpenAI', kind: 'ai_lab' }))).toEqual({
      accepted: true,
      streamId: 'party-openai',
    });
    expect(scenario.state.parties.get('openai')?.group).toBe('openai');
  });

  it('puts a child in the group at the root of its parent chain', () => {
    const scenario = LedgerScenario.given(
      fact('PartyRegistered', { partyId: 'amazon', name: 'Amazon', kind: 'investor' }),
      fact('PartyRegistered', { partyId: 'aws', name: 'AWS', kind: 'cloud_provider', parentId: 'amazon' }),
    );
    scenario.when(fact('PartyRegistered', { partyId: 'aws-eu', name: 'AWS EU', kind: 'cloud_provider', parentId: 'aws' }));
    expect(scenario.state.parties.get('aws-eu')?.group).toBe('amazon');
  });

  it('refuses a partyId already registered: duplicate_id', () => {
    const scenario = LedgerScenario.given(fact('PartyRegistered', { partyId: 'openai', name: 'OpenAI', kind: 'ai_lab' }));
    expect(scenario.rejectionOf(fact('PartyRegistered', { partyId: 'openai', name: 'Other', kind: 'other' }))?.reason).toBe(
      RejectionCode.DuplicateId,
    );
  });

  it('refuses a parent that is not registered: unknown_reference', () => {
    const rejection = LedgerScenario.given().rejectionOf(
      fact('PartyRegistered', { partyId: 'aws', name: 'AWS', kind: 'cloud_provider', parentId: 'amazon' }),
    );
    expect(rejection).toEqual({ reason: RejectionCode.UnknownReference, detail: expect.stringContaining('parentId') });
  });

  it('checks the id before the parent', () => {
    const scenario = LedgerScenario.given(fact('PartyRegistered', { partyId: 'aws', name: 'AWS', kind: 'cloud_provider' }));
    expect(
      scenario.rejectionOf(fact('PartyRegistered', { partyId: 'aws', name: 'AWS', kind: 'cloud_provider', parentId: 'nobody' }))?.reason,
    ).toBe(RejectionCode.DuplicateId);
  });
});

import { RejectionCode } from '@capflow/contracts';
import { fact, LedgerScenario, registry, usd } from '../testing/ledger-scenario';

const sign = (commitmentId: string, customerId: string, providerId: string) =>
  fact('ComputeCommitmentSigned', {
    commitmentId,
    customerId,
    providerId,
    amount: usd('3800'),
    startsAt: '2025-11-03T00:00:00Z',
    endsAt: '2032-11-03T00:00:00Z',
  });

describe('ComputeCommitmentSigned', () => {
  it('accepts a commitment, to the commitment stream', () => {
    expect(LedgerScenario.given(...registry()).when(sign('c1', 'openai', 'aws'))).toEqual({ accepted: true, streamId: 'commitment-c1' });
  });

  it('refuses a commitmentId that exists: duplicate_id', () => {
    expect(LedgerScenario.given(...registry(), sign('c1', 'openai', 'aws')).rejectionOf(sign('c1', 'nvidia', 'aws'))?.reason).toBe(
      RejectionCode.DuplicateId,
    );
  });

  it.each([
    ['customer', sign('c1', 'nobody', 'aws')],
    ['provider', sign('c1', 'openai', 'nobody')],
  ])('refuses an unregistered %s: unknown_reference', (_, event) => {
    expect(LedgerScenario.given(...registry()).rejectionOf(event)?.reason).toBe(RejectionCode.UnknownReference);
  });

  it('refuses a commitment to oneself: invalid_relationship', () => {
    expect(LedgerScenario.given(...registry()).rejectionOf(sign('c1', 'aws', 'aws'))?.reason).toBe(RejectionCode.InvalidRelationship);
  });

  it('accepts a commitment within one group (only the same party is refused)', () => {
    expect(LedgerScenario.given(...registry()).when(sign('c1', 'amazon', 'aws')).accepted).toBe(true);
  });
});

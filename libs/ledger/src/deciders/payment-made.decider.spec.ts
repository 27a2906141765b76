import { RejectionCode } from '@capflow/contracts';
import { fact, LedgerScenario, registry, usd } from '../testing/ledger-scenario';

const pay = (paymentId: string, payerId: string, payeeId: string) =>
  fact('PaymentMade', { paymentId, payerId, payeeId, amount: usd('400'), purpose: 'compute' });

describe('PaymentMade', () => {
  it('accepts a payment, to the payment stream', () => {
    expect(LedgerScenario.given(...registry()).when(pay('p1', 'openai', 'nvidia'))).toEqual({ accepted: true, streamId: 'payment-p1' });
  });

  it('refuses a paymentId that exists: duplicate_id', () => {
    expect(LedgerScenario.given(...registry(), pay('p1', 'openai', 'nvidia')).rejectionOf(pay('p1', 'nvidia', 'openai'))?.reason).toBe(
      RejectionCode.DuplicateId,
    );
  });

  it.each([
    ['payer', pay('p1', 'nobody', 'openai')],
    ['payee', pay('p1', 'openai', 'nobody')],
  ])('refuses an unregistered %s: unknown_reference', (_, event) => {
    expect(LedgerScenario.given(...registry()).rejectionOf(event)?.reason).toBe(RejectionCode.UnknownReference);
  });

  it('refuses paying oneself: invalid_relationship', () => {
    expect(LedgerScenario.given(...registry()).rejectionOf(pay('p1', 'openai', 'openai'))?.reason).toBe(RejectionCode.InvalidRelationship);
  });

  it('accepts a payment within a group (not a round trip, but a fact)', () => {
    expect(LedgerScenario.given(...registry()).when(pay('p1', 'aws', 'amazon')).accepted).toBe(true);
  });
});

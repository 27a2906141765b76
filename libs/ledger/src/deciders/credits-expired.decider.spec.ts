import { RejectionCode } from '@capflow/contracts';
import { eur, fact, LedgerScenario, registry, usd } from '../testing/ledger-scenario';

const granted = () =>
  fact('ComputeCreditsGranted', { grantId: 'g1', providerId: 'aws', recipientId: 'openai', amount: usd('400') }, '2025-11-02T09:00:00Z');
const expire = (amount = usd('100'), occurredAt = '2026-11-02T00:00:00Z', grantId = 'g1') =>
  fact('CreditsExpired', { grantId, amount }, occurredAt);

describe('CreditsExpired', () => {
  it('accepts an expiry within what remains, to the grant stream', () => {
    expect(LedgerScenario.given(...registry(), granted()).when(expire())).toEqual({ accepted: true, streamId: 'grant-g1' });
  });

  it('refuses an unknown grant: unknown_reference', () => {
    expect(LedgerScenario.given(...registry()).rejectionOf(expire(usd('1'), undefined, 'g9'))?.reason).toBe(RejectionCode.UnknownReference);
  });

  it("refuses another currency than the grant's: currency_mismatch", () => {
    expect(LedgerScenario.given(...registry(), granted()).rejectionOf(expire(eur('1')))?.reason).toBe(RejectionCode.CurrencyMismatch);
  });

  it('refuses expiring more than remains: limit_exceeded', () => {
    const scenario = LedgerScenario.given(...registry(), granted(), expire(usd('399.99')));
    expect(scenario.rejectionOf(expire(usd('0.02')))?.reason).toBe(RejectionCode.LimitExceeded);
    expect(scenario.when(expire(usd('0.01'))).accepted).toBe(true);
  });

  it('restores the grant when an expiry is reversed', () => {
    const all = expire(usd('400'));
    const scenario = LedgerScenario.given(...registry(), granted(), all, fact('EventReversed', { reversedEventId: all.eventId, reason: 'x' }));
    expect(scenario.when(expire(usd('400'))).accepted).toBe(true);
  });

  it('refuses an expiry dated before its grant: occurred_before_reference', () => {
    expect(LedgerScenario.given(...registry(), granted()).rejectionOf(expire(usd('1'), '2025-11-01T00:00:00Z'))?.reason).toBe(
      RejectionCode.OccurredBeforeReference,
    );
  });
});

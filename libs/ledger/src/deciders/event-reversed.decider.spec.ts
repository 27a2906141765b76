import { RejectionCode } from '@capflow/contracts';
import { fact, LedgerScenario, registry, usd } from '../testing/ledger-scenario';

const payment = () => fact('PaymentMade', { paymentId: 'p1', payerId: 'openai', payeeId: 'nvidia', amount: usd('50'), purpose: 'hardware' });
const reverse = (reversedEventId: string) => fact('EventReversed', { reversedEventId, reason: 'booked twice' });

describe('EventReversed', () => {
  it('accepts a reversal and files it in the stream of the event it reverses', () => {
    const target = payment();
    const scenario = LedgerScenario.given(...registry());
    scenario.when(target);
    expect(scenario.when(reverse(target.eventId))).toEqual({ accepted: true, streamId: 'payment-p1' });
    expect(scenario.state.reversed.has(target.eventId)).toBe(true);
  });

  it('finds its target whatever the case of the eventId', () => {
    const target = payment();
    const scenario = LedgerScenario.given(...registry(), target);
    expect(scenario.when(reverse(target.eventId.toUpperCase())).accepted).toBe(true);
  });

  it('refuses a target that was never accepted: unknown_reference', () => {
    expect(LedgerScenario.given(...registry()).rejectionOf(reverse('00000000-0000-4000-8000-ffffffffffff'))?.reason).toBe(
      RejectionCode.UnknownReference,
    );
  });

  it.each([
    ['PartyRegistered', () => fact('PartyRegistered', { partyId: 'xai', name: 'xAI', kind: 'ai_lab' })],
    ['InvestmentCommitted', () => fact('InvestmentCommitted', { investmentId: 'i', investorId: 'amazon', investeeId: 'openai', amount: usd('1'), instrument: 'safe' })],
    ['ComputeCreditsGranted', () => fact('ComputeCreditsGranted', { grantId: 'g', providerId: 'aws', recipientId: 'openai', amount: usd('1') })],
    ['UsageBilled', () => fact('UsageBilled', { invoiceId: 'b', providerId: 'aws', customerId: 'openai', amount: usd('1') })],
  ])('refuses to reverse a %s: invalid_relationship', (_, target) => {
    const event = target();
    const scenario = LedgerScenario.given(...registry(), event);
    expect(scenario.rejectionOf(reverse(event.eventId))?.reason).toBe(RejectionCode.InvalidRelationship);
  });

  it('refuses to reverse a reversal: invalid_relationship', () => {
    const target = payment();
    const first = reverse(target.eventId);
    expect(LedgerScenario.given(...registry(), target, first).rejectionOf(reverse(first.eventId))?.reason).toBe(RejectionCode.InvalidRelationship);
  });

  it('refuses to reverse twice: invalid_relationship', () => {
    const target = payment();
    const scenario = LedgerScenario.given(...registry(), target, reverse(target.eventId));
    expect(scenario.rejectionOf(reverse(target.eventId))).toEqual({
      reason: RejectionCode.InvalidRelationship,
      detail: expect.stringContaining('already reversed'),
    });
  });
});

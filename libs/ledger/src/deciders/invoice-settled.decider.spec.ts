import { RejectionCode } from '@capflow/contracts';
import { eur, fact, LedgerScenario, registry, usd, TestMoney } from '../testing/ledger-scenario';

const billed = (invoiceId = 'inv-1', amount: TestMoney = usd('500'), providerId = 'aws', customerId = 'openai') =>
  fact('UsageBilled', { invoiceId, providerId, customerId, amount }, '2025-11-03T09:00:00Z');
const granted = (grantId = 'g1', amount: TestMoney = usd('400'), providerId = 'aws', recipientId = 'openai') =>
  fact('ComputeCreditsGranted', { grantId, providerId, recipientId, amount }, '2025-11-02T09:00:00Z');
const cash = (settlementId: string, amount: TestMoney = usd('100'), occurredAt = '2025-11-04T09:00:00Z', invoiceId = 'inv-1') =>
  fact('InvoiceSettled', { invoiceId, settlementId, amount, method: 'cash' }, occurredAt);
const credits = (settlementId: string, amount: TestMoney = usd('100'), grantId = 'g1', occurredAt = '2025-11-04T09:00:00Z', invoiceId = 'inv-1') =>
  fact('InvoiceSettled', { invoiceId, settlementId, amount, method: 'credits', grantId }, occurredAt);

describe('InvoiceSettled', () => {
  const given = () => LedgerScenario.given(...registry(), granted(), billed());

  it('accepts cash and credits settlements, to the invoice stream', () => {
    const scenario = given();
    expect(scenario.when(cash('s1'))).toEqual({ accepted: true, streamId: 'invoice-inv-1' });
    expect(scenario.when(credits('s2')).accepted).toBe(true);
  });

  it('refuses an unknown invoice: unknown_reference', () => {
    expect(given().rejectionOf(cash('s1', usd('1'), undefined, 'inv-9'))?.reason).toBe(RejectionCode.UnknownReference);
  });

  it('refuses a settlementId taken on this invoice, even once reversed: duplicate_id', () => {
    const first = cash('s1');
    const scenario = LedgerScenario.given(...registry(), granted(), billed(), first);
    expect(scenario.rejectionOf(cash('s1'))?.reason).toBe(RejectionCode.DuplicateId);
    scenario.when(fact('EventReversed', { reversedEventId: first.eventId, reason: 'x' }));
    expect(scenario.rejectionOf(cash('s1'))?.reason).toBe(RejectionCode.DuplicateId);
  });

  it('allows the same settlementId on another invoice', () => {
    const scenario = LedgerScenario.given(...registry(), granted(), billed(), billed('inv-2'), cash('s1'));
    expect(scenario.when(cash('s1', usd('1'), undefined, 'inv-2')).accepted).toBe(true);
  });

  it("refuses another currency than the invoice's: currency_mismatch", () => {
    expect(given().rejectionOf(cash('s1', eur('1')))?.reason).toBe(RejectionCode.CurrencyMismatch);
  });

  it('refuses settling more than billed: limit_exceeded', () => {
    const scenario = LedgerScenario.given(...registry(), granted(), billed(), cash('s1', usd('499.99')));
    expect(scenario.rejectionOf(cash('s2', usd('0.02')))?.reason).toBe(RejectionCode.LimitExceeded);
    expect(scenario.when(cash('s3', usd('0.01'))).accepted).toBe(true);
  });

  it('gives back the room of a reversed settlement', () => {
    const all = cash('s1', usd('500'));
    const scenario = LedgerScenario.given(...registry(), granted(), billed(), all, fact('EventReversed', { reversedEventId: all.eventId, reason: 'x' }));
    expect(scenario.when(cash('s2', usd('500'))).accepted).toBe(true);
  });

  it('refuses credits from an unknown grant: unknown_reference', () => {
    expect(given().rejectionOf(credits('s1', usd('1'), 'g9'))?.reason).toBe(RejectionCode.UnknownReference);
  });

  it("refuses a grant from another provider or to another customer: invalid_relationship", () => {
    const scenario = LedgerScenario.given(...registry(), granted(), granted('g-nv', usd('10'), 'nvidia', 'openai'), granted('g-other', usd('10'), 'aws', 'nvidia'), billed());
    expect(scenario.rejectionOf(credits('s1', usd('1'), 'g-nv'))?.reason).toBe(RejectionCode.InvalidRelationship);
    expect(scenario.rejectionOf(credits('s2', usd('1'), 'g-other'))?.reason).toBe(RejectionCode.InvalidRelationship);
  });

  it("refuses a grant in another currency than the invoice's: currency_mismatch", () => {
    const scenario = LedgerScenario.given(...registry(), granted('g-eur', eur('100')), billed());
    expect(scenario.rejectionOf(credits('s1', usd('1'), 'g-eur'))?.reason).toBe(RejectionCode.CurrencyMismatch);
  });

  it("refuses more credits than the grant has left: limit_exceeded", () => {
    const scenario = LedgerScenario.given(...registry(), granted('g1', usd('400')), billed('inv-1', usd('1000')), credits('s1', usd('300')));
    expect(scenario.rejectionOf(credits('s2', usd('100.01')))?.reason).toBe(RejectionCode.LimitExceeded);
    expect(scenario.when(credits('s3', usd('100'))).accepted).toBe(true);
  });

  it('checks the invoice limit before the grant', () => {
    const scenario = LedgerScenario.given(...registry(), granted('g1', usd('1')), billed('inv-1', usd('10')));
    expect(scenario.rejectionOf(credits('s1', usd('11'), 'g9'))?.reason).toBe(RejectionCode.LimitExceeded);
  });

  it('restores the grant when a credits settlement is reversed', () => {
    const spent = credits('s1', usd('400'));
    const scenario = LedgerScenario.given(...registry(), granted(), billed('inv-1', usd('1000')), spent);
    expect(scenario.rejectionOf(credits('s2', usd('1')))?.reason).toBe(RejectionCode.LimitExceeded);
    scenario.when(fact('EventReversed', { reversedEventId: spent.eventId, reason: 'x' }));
    expect(scenario.when(credits('s3', usd('400'))).accepted).toBe(true);
  });

  it('refuses a settlement dated before its invoice or its grant: occurred_before_reference', () => {
    expect(given().rejectionOf(cash('s1', usd('1'), '2025-11-03T08:00:00Z'))?.reason).toBe(RejectionCode.OccurredBeforeReference);
    const lateGrant = fact('ComputeCreditsGranted', { grantId: 'g-late', providerId: 'aws', recipientId: 'openai', amount: usd('10') }, '2025-11-05T00:00:00Z');
    const scenario = LedgerScenario.given(...registry(), lateGrant, billed());
    expect(scenario.rejectionOf(credits('s1', usd('1'), 'g-late', '2025-11-04T00:00:00Z'))?.detail).toContain('grant');
  });
});

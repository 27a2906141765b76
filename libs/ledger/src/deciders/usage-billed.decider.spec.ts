import { RejectionCode } from '@capflow/contracts';
import { eur, fact, LedgerScenario, registry, usd, TestMoney } from '../testing/ledger-scenario';

const commitment = () =>
  fact(
    'ComputeCommitmentSigned',
    { commitmentId: 'c1', customerId: 'openai', providerId: 'aws', amount: usd('3800'), startsAt: '2025-11-03T00:00:00Z', endsAt: '2032-11-03T00:00:00Z' },
    '2025-11-03T09:00:00Z',
  );
type BillData = { invoiceId: string; providerId: string; customerId: string; commitmentId: string; amount: TestMoney };
const bill = (data: Partial<BillData> = {}, occurredAt = '2025-11-04T09:00:00Z') =>
  fact('UsageBilled', { invoiceId: 'inv-1', providerId: 'aws', customerId: 'openai', amount: usd('500'), ...data }, occurredAt);

describe('UsageBilled', () => {
  const given = () => LedgerScenario.given(...registry(), commitment());

  it('accepts a bill, with or without a commitment, to the invoice stream', () => {
    expect(given().when(bill())).toEqual({ accepted: true, streamId: 'invoice-inv-1' });
    expect(given().when(bill({ commitmentId: 'c1' })).accepted).toBe(true);
  });

  it('refuses an invoiceId that exists: duplicate_id', () => {
    const scenario = given();
    scenario.when(bill());
    expect(scenario.rejectionOf(bill())?.reason).toBe(RejectionCode.DuplicateId);
  });

  it.each([
    ['provider', { providerId: 'nobody' }],
    ['customer', { customerId: 'nobody' }],
  ])('refuses an unregistered %s: unknown_reference', (_, data) => {
    expect(given().rejectionOf(bill(data))?.reason).toBe(RejectionCode.UnknownReference);
  });

  it('refuses a bill to oneself: invalid_relationship', () => {
    expect(given().rejectionOf(bill({ customerId: 'aws' }))?.reason).toBe(RejectionCode.InvalidRelationship);
  });

  it('refuses an unknown commitment: unknown_reference', () => {
    expect(given().rejectionOf(bill({ commitmentId: 'c9' }))?.reason).toBe(RejectionCode.UnknownReference);
  });

  it("refuses a commitment between other parties: invalid_relationship", () => {
    expect(given().rejectionOf(bill({ commitmentId: 'c1', customerId: 'nvidia' }))?.reason).toBe(RejectionCode.InvalidRelationship);
    expect(given().rejectionOf(bill({ commitmentId: 'c1', providerId: 'amazon' }))?.reason).toBe(RejectionCode.InvalidRelationship);
  });

  it("refuses another currency than the commitment's: currency_mismatch", () => {
    expect(given().rejectionOf(bill({ commitmentId: 'c1', amount: eur('5') }))?.reason).toBe(RejectionCode.CurrencyMismatch);
  });

  it('refuses a bill dated before its commitment: occurred_before_reference', () => {
    expect(given().rejectionOf(bill({ commitmentId: 'c1' }, '2025-11-03T08:59:59Z'))?.reason).toBe(RejectionCode.OccurredBeforeReference);
    expect(given().when(bill({ commitmentId: 'c1' }, '2025-11-03T09:00:00Z')).accepted).toBe(true);
  });
});

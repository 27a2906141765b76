import fc from 'fast-check';
import { CURRENCY_CODES, CURRENCY_MINOR_UNITS, CurrencyCode } from '../currency';
import { INSTRUMENTS, PARTY_KINDS, PAYMENT_PURPOSES } from '../event-type';

/** fast-check arbitraries of well-shaped events (test-only; business rules are not considered). */
export const identifier = () => fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/);
export const eventId = () => fc.uuid({ version: [1, 2, 3, 4, 5] }).chain((id) => fc.constantFrom(id, id.toUpperCase()));
export const dateTime = () =>
  fc
    .tuple(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true }), fc.constantFrom('Z', '+01:00', '-05:30', 'z'))
    .map(([date, zone]) => date.toISOString().replace('Z', zone === 'Z' || zone === 'z' ? zone : '').concat(zone === 'Z' || zone === 'z' ? '' : zone));
export const money = () =>
  fc.constantFrom(...CURRENCY_CODES).chain((currency: CurrencyCode) =>
    fc
      .tuple(fc.stringMatching(/^[1-9]\d{0,19}$/), fc.stringMatching(new RegExp(`^\\d{0,${CURRENCY_MINOR_UNITS[currency]}}$`)))
      .map(([integer, fraction]) => ({ amount: fraction ? `${integer}.${fraction}` : integer, currency })),
  );
const text = (max: number) => fc.string({ minLength: 1, maxLength: max, unit: 'grapheme' }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s));

const dataByType = {
  PartyRegistered: fc.record(
    { partyId: identifier(), name: text(200), kind: fc.constantFrom(...PARTY_KINDS), parentId: identifier() },
    { requiredKeys: ['partyId', 'name', 'kind'] },
  ),
  OpeningBalanceRecorded: fc.record({ partyId: identifier(), amount: money() }),
  InvestmentCommitted: fc.record({ investmentId: identifier(), investorId: identifier(), investeeId: identifier(), amount: money(), instrument: fc.constantFrom(...INSTRUMENTS) }),
  InvestmentFunded: fc.record({ investmentId: identifier(), trancheId: identifier(), amount: money() }),
  ComputeCreditsGranted: fc.record(
    { grantId: identifier(), providerId: identifier(), recipientId: identifier(), amount: money(), investmentId: identifier(), expiresAt: dateTime() },
    { requiredKeys: ['grantId', 'providerId', 'recipientId', 'amount'] },
  ),
  ComputeCommitmentSigned: fc
    .tuple(fc.record({ commitmentId: identifier(), customerId: identifier(), providerId: identifier(), amount: money() }), fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 1e9 }))
    .map(([data, start, length]) => ({
      ...data,
      startsAt: new Date(Date.UTC(2000, 0, 1) + start * 1000).toISOString(),
      endsAt: new Date(Date.UTC(2000, 0, 1) + (start + length) * 1000).toISOString(),
    })),
  UsageBilled: fc.record(
    { invoiceId: identifier(), providerId: identifier(), customerId: identifier(), amount: money(), commitmentId: identifier() },
    { requiredKeys: ['invoiceId', 'providerId', 'customerId', 'amount'] },
  ),
  InvoiceSettled: fc.oneof(
    fc.record({ invoiceId: identifier(), settlementId: identifier(), amount: money(), method: fc.constant('cash') }),
    fc.record({ invoiceId: identifier(), settlementId: identifier(), amount: money(), method: fc.constant('credits'), grantId: identifier() }),
  ),
  PaymentMade: fc.record({ paymentId: identifier(), payerId: identifier(), payeeId: identifier(), amount: money(), purpose: fc.constantFrom(...PAYMENT_PURPOSES) }),
  CreditsExpired: fc.record({ grantId: identifier(), amount: money() }),
  EventReversed: fc.record({ reversedEventId: eventId(), reason: text(500) }),
};

export const validEvent = () =>
  fc.constantFrom(...(Object.keys(dataByType) as (keyof typeof dataByType)[])).chain((type) =>
    fc.record(
      {
        eventId: eventId(),
        type: fc.constant(type),
        schemaVersion: fc.constant(1),
        occurredAt: dateTime(),
        source: text(100),
        data: dataByType[type] as fc.Arbitrary<Record<string, unknown>>,
      },
      { requiredKeys: ['eventId', 'type', 'occurredAt', 'source', 'data'] },
    ),
  );

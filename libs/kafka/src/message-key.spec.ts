import { EVENT_TYPES } from '@capflow/contracts';
import fc from 'fast-check';
import { messageKeyOf } from './message-key';

const PAYMENT_ID = '0b8f2c1e-5a6d-4e3f-9a1b-2c3d4e5f6a7b';
const REVERSAL_ID = '1c9e3d2f-6b7e-4f40-8b2c-3d4e5f6a7b8c';

const envelope = (type: string, data: unknown, eventId: unknown = PAYMENT_ID) =>
  JSON.stringify({ eventId, type, occurredAt: '2025-01-01T00:00:00Z', data });
const reversal = (reversedEventId: unknown, eventId: string = REVERSAL_ID) =>
  envelope('EventReversed', { reversedEventId, reason: 'booked twice' }, eventId);

/** Each fact type other than EventReversed, with the entity stream its key names (libs/ledger/src/streams.ts). */
const KEYED: [type: string, data: Record<string, unknown>, key: string][] = [
  ['PartyRegistered', { partyId: 'openai', name: 'OpenAI', kind: 'ai_lab' }, 'party-openai'],
  ['OpeningBalanceRecorded', { partyId: 'aws' }, 'party-aws'],
  ['InvestmentCommitted', { investmentId: 'INV-2025-01', investorId: 'amazon', investeeId: 'anthropic' }, 'investment-INV-2025-01'],
  ['InvestmentFunded', { investmentId: 'INV-2025-01', investorId: 'amazon' }, 'investment-INV-2025-01'],
  ['ComputeCreditsGranted', { grantId: 'g.7', providerId: 'aws', recipientId: 'anthropic' }, 'grant-g.7'],
  ['CreditsExpired', { grantId: 'g.7' }, 'grant-g.7'],
  ['ComputeCommitmentSigned', { commitmentId: 'c:1', providerId: 'azure' }, 'commitment-c:1'],
  ['UsageBilled', { invoiceId: 'INV-1', providerId: 'aws', customerId: 'openai' }, 'invoice-INV-1'],
  ['InvoiceSettled', { invoiceId: 'INV-1', paymentId: 'p1' }, 'invoice-INV-1'],
  ['PaymentMade', { paymentId: 'p1', payerId: 'openai', payeeId: 'nvidia' }, 'payment-p1'],
];

describe('messageKeyOf', () => {
  it('covers every fact type of the contract but EventReversed in the table below', () => {
    expect(KEYED.map(([type]) => type).sort()).toEqual(EVENT_TYPES.filter((type) => type !== 'EventReversed').sort());
  });

  it.each(KEYED)('given a %s, when keyed, then its key is the stream of the entity it is about', (type, data, key) => {
    expect(messageKeyOf(envelope(type, data))).toBe(key);
  });

  it('given the same fact as a string and as bytes, when keyed, then both give the same key', () => {
    const text = envelope('UsageBilled', { invoiceId: 'INV-é1' });
    expect(messageKeyOf(text)).toBe('invoice-INV-é1');
    expect(messageKeyOf(Buffer.from(text, 'utf8'))).toBe('invoice-INV-é1');
  });

  it('given a fact with an eventId, when keyed with keysById, then its key is remembered under the lower-cased eventId', () => {
    const keysById = new Map<string, string>();
    messageKeyOf(envelope('PaymentMade', { paymentId: 'p1' }, PAYMENT_ID.toUpperCase()), keysById);
    expect(keysById).toEqual(new Map([[PAYMENT_ID, 'payment-p1']]));
  });

  it("given a reversal of a fact keysById knows, when keyed, then it takes that fact's key, whatever the case of the eventId", () => {
    const keysById = new Map<string, string>();
    messageKeyOf(envelope('PaymentMade', { paymentId: 'p1' }, PAYMENT_ID.toUpperCase()), keysById);
    expect(messageKeyOf(reversal(PAYMENT_ID), keysById)).toBe('payment-p1');
    expect(messageKeyOf(reversal(PAYMENT_ID.toUpperCase()), keysById)).toBe('payment-p1');
  });

  it('given a reversal of a fact keysById does not know, when keyed, then its key is event-<reversed eventId>, lower-cased', () => {
    expect(messageKeyOf(reversal(PAYMENT_ID.toUpperCase()), new Map())).toBe(`event-${PAYMENT_ID}`);
    expect(messageKeyOf(reversal(PAYMENT_ID))).toBe(`event-${PAYMENT_ID}`);
  });

  it('given a reversal, when keyed with keysById, then its own eventId is remembered with the same key', () => {
    const keysById = new Map<string, string>();
    messageKeyOf(envelope('PaymentMade', { paymentId: 'p1' }), keysById);
    messageKeyOf(reversal(PAYMENT_ID), keysById);
    expect(keysById.get(REVERSAL_ID)).toBe('payment-p1');
  });

  it.each([
    ['missing', {}],
    ['empty', { reversedEventId: '' }],
    ['a number', { reversedEventId: 7 }],
    ['null', { reversedEventId: null }],
  ])('given a reversal whose reversedEventId is %s, when keyed, then it has no key', (_, data) => {
    const keysById = new Map<string, string>();
    expect(messageKeyOf(envelope('EventReversed', data), keysById)).toBeNull();
    expect(keysById.size).toBe(0);
  });

  it.each([
    ['text that is not JSON', 'not json'],
    ['an empty value', ''],
    ['truncated JSON', '{"type":"PaymentMade","data":{"paymentId":"p1"'],
    ['a JSON array', JSON.stringify([{ type: 'PaymentMade', data: { paymentId: 'p1' } }])],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
    ['a JSON string', '"PaymentMade"'],
    ['an envelope without data', JSON.stringify({ type: 'PaymentMade' })],
    ['an envelope with null data', JSON.stringify({ type: 'PaymentMade', data: null })],
    ['an envelope with text data', JSON.stringify({ type: 'PaymentMade', data: 'p1' })],
    ['an envelope with array data', JSON.stringify({ type: 'PaymentMade', data: ['p1'] })],
    ['an envelope without a type', JSON.stringify({ data: { paymentId: 'p1' } })],
    ['an envelope whose type is not text', JSON.stringify({ type: 9, data: { paymentId: 'p1' } })],
    ['an unknown type', envelope('PaymentRefunded', { paymentId: 'p1' })],
    ['a type named like an Object method', envelope('toString', { paymentId: 'p1' })],
    ['a type named __proto__', envelope('__proto__', { paymentId: 'p1' })],
    ['a fact without its entity id', envelope('PaymentMade', { payerId: 'openai' })],
    ['an entity id hidden under __proto__', '{"type":"PaymentMade","data":{"__proto__":{"paymentId":"p1"}}}'],
    ['an envelope hidden under __proto__', '{"__proto__":{"type":"PaymentMade","data":{"paymentId":"p1"}}}'],
  ])('given %s, when keyed, then there is no key, nothing is remembered and nothing throws', (_, value) => {
    const keysById = new Map<string, string>();
    expect(messageKeyOf(value, keysById)).toBeNull();
    expect(messageKeyOf(Buffer.from(value), keysById)).toBeNull();
    expect(keysById.size).toBe(0);
  });

  it('given bytes that are not UTF-8, when keyed, then there is no key', () => {
    expect(messageKeyOf(Buffer.from([0xff, 0xfe, 0x7b, 0x00]))).toBeNull();
  });

  it('given __proto__ keys in an envelope, when keyed, then no prototype is changed', () => {
    messageKeyOf('{"type":"PaymentMade","data":{"paymentId":"p1","__proto__":{"polluted":true}},"__proto__":{"polluted":true}}', new Map());
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('given any text or any JSON value, when keyed, then it never throws and answers text or null', () => {
    const anyValue = fc.oneof(
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.record({ type: fc.constantFrom(...EVENT_TYPES), data: fc.jsonValue() }).map((value) => JSON.stringify(value)),
    );
    fc.assert(
      fc.property(anyValue, (value) => {
        const key = messageKeyOf(value, new Map());
        expect(key === null || typeof key === 'string').toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it.each(['acme-undefined', 'undefined'])(
    'given a PartyRegistered with partyId %j, when keyed, then its key is the party stream',
    (partyId) => {
      expect(messageKeyOf(JSON.stringify({ type: 'PartyRegistered', data: { partyId } }))).toBe(`party-${partyId}`);
    },
  );

  it.each([null, {}, '', 7])('given a PaymentMade whose paymentId is %j, when keyed, then there is no key', (paymentId) => {
    expect(messageKeyOf(JSON.stringify({ type: 'PaymentMade', data: { paymentId } }))).toBeNull();
  });
});

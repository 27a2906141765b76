import fc from 'fast-check';
import { parseEvent, MAX_EVENT_BYTES } from './parse-event';
import { REJECTION_CODES, RejectionCode } from './rejection-code';
import { validEvent } from './testing/event-arbitraries';

const payment = (overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}) =>
  JSON.stringify({
    eventId: '00000000-0000-4000-8000-000000000010',
    type: 'PaymentMade',
    occurredAt: '2025-11-06T09:00:00Z',
    source: 'treasury',
    data: { paymentId: 'p1', payerId: 'openai', payeeId: 'oracle', amount: { amount: '400.00', currency: 'USD' }, purpose: 'compute', ...data },
    ...overrides,
  });

const reasonOf = (input: string | Uint8Array) => {
  const outcome = parseEvent(input);
  return outcome.ok ? 'ok' : outcome.rejection.reason;
};

describe('parseEvent', () => {
  it('returns the typed event, schemaVersion defaulting to 1', () => {
    const outcome = parseEvent(payment());
    expect(outcome).toMatchObject({ ok: true, event: { type: 'PaymentMade', schemaVersion: 1, data: { paymentId: 'p1' } } });
  });

  it('reads bytes as UTF-8 and refuses bytes that are not: malformed_json', () => {
    expect(reasonOf(Buffer.from(payment()))).toBe('ok');
    expect(parseEvent(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toMatchObject({ ok: false, rejection: { reason: 'malformed_json' }, eventId: null });
  });

  it.each(['{"eventId":', '', 'nul', '{"a":1}}', "{'a':1}"])('refuses %j: malformed_json', (input) => {
    expect(reasonOf(input)).toBe(RejectionCode.MalformedJson);
  });

  it.each(['[]', '"text"', '42', 'null', 'true'])('refuses JSON that is not an object (%s): schema_violation', (input) => {
    expect(reasonOf(input)).toBe(RejectionCode.SchemaViolation);
  });

  it('refuses an event over 64 KiB before parsing it: schema_violation', () => {
    const padding = 'x'.repeat(MAX_EVENT_BYTES);
    expect(parseEvent(payment({ source: padding }))).toMatchObject({ ok: false, rejection: { reason: 'schema_violation', detail: expect.stringContaining('65536') } });
    expect(reasonOf(`{${' '.repeat(MAX_EVENT_BYTES)}`)).toBe(RejectionCode.SchemaViolation);
  });

  it('refuses deep nesting: schema_violation', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    expect(parseEvent(payment().replace('"paymentId":"p1"', `"paymentId":${deep}`))).toMatchObject({ ok: false, rejection: { reason: 'schema_violation', detail: expect.stringContaining('deeper') } });
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s anywhere, without polluting prototypes', (key) => {
    for (const text of [
      `{"${key}": {"polluted": 1}}`,
      payment().replace('"data":{', `"data":{"${key}":{"polluted":1},`),
      payment().replace('"amount":{', `"amount":{"${key}":{"polluted":1},`),
    ]) {
      expect(parseEvent(text)).toMatchObject({ ok: false, rejection: { reason: 'schema_violation', detail: expect.stringContaining(key) } });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names a type that is no event type: unknown_event_type, with the eventId', () => {
    expect(parseEvent(payment({ type: 'PaymentReceived' }))).toMatchObject({
      ok: false,
      rejection: { reason: 'unknown_event_type' },
      eventId: '00000000-0000-4000-8000-000000000010',
    });
    expect(reasonOf(payment({ type: 7 }))).toBe(RejectionCode.SchemaViolation);
    expect(reasonOf(payment({ type: undefined }))).toBe(RejectionCode.SchemaViolation);
  });

  it.each([
    ['an unknown envelope field', payment({ extra: 1 }), 'extra'],
    ['an unknown data field', payment({}, { note: 'x' }), 'note'],
    ['an unknown money field', payment({}, { amount: { amount: '1', currency: 'USD', rate: '1' } }), 'rate'],
    ['an amount as a number', payment({}, { amount: { amount: 400, currency: 'USD' } }), 'data.amount.amount'],
    ['money as a string', payment({}, { amount: '400.00 USD' }), 'data.amount'],
    ['a missing field', payment({}, { purpose: undefined }), 'data.purpose'],
    ['null for a field', payment({}, { payerId: null }), 'data.payerId'],
    ['schemaVersion 2', payment({ schemaVersion: 2 }), 'schemaVersion'],
    ['an eventId that is no UUID', payment({ eventId: 'abc' }), 'eventId'],
    ['a source with a control character', payment({ source: 'tre\u0007asury' }), 'source'],
    ['a source of 101 characters', payment({ source: 's'.repeat(101) }), 'source'],
    ['an id with a space', payment({}, { payerId: 'open ai' }), 'data.payerId'],
    ['an id of 129 characters', payment({}, { payerId: 'a'.repeat(129) }), 'data.payerId'],
    ['an unknown currency', payment({}, { amount: { amount: '1', currency: 'XBT' } }), 'data.amount.currency'],
    ['too many fraction digits', payment({}, { amount: { amount: '1.005', currency: 'USD' } }), 'data.amount.amount'],
    ['a zero amount', payment({}, { amount: { amount: '0.00', currency: 'USD' } }), 'positive'],
    ['21 integer digits', payment({}, { amount: { amount: '1'.repeat(21), currency: 'USD' } }), 'data.amount.amount'],
    ['a date that does not exist', payment({ occurredAt: '2025-02-30T00:00:00Z' }), 'occurredAt'],
    ['a date without offset', payment({ occurredAt: '2025-02-03T00:00:00' }), 'occurredAt'],
    ['an unknown purpose', payment({}, { purpose: 'gift' }), 'data.purpose'],
    ['data as an array', payment({ data: [] }), 'data'],
  ])('refuses %s: schema_violation naming it', (_, input, named) => {
    expect(parseEvent(input)).toMatchObject({ ok: false, rejection: { reason: 'schema_violation', detail: expect.stringContaining(named) } });
  });

  it('allows control characters in a name or a reason, as the contract does, but not lone surrogates', () => {
    const party = (name: string) =>
      JSON.stringify({ eventId: '00000000-0000-4000-8000-000000000010', type: 'PartyRegistered', occurredAt: '2025-11-06T09:00:00Z', source: 'r', data: { partyId: 'p', name, kind: 'other' } });
    expect(reasonOf(party('Bell\u0007Corp\nLtd'))).toBe('ok');
    expect(reasonOf(party('\ud800'))).toBe(RejectionCode.SchemaViolation);
  });

  it('counts characters as code points', () => {
    expect(reasonOf(payment({ source: '😀'.repeat(100) }))).toBe('ok');
    expect(reasonOf(payment({ source: '😀'.repeat(101) }))).toBe(RejectionCode.SchemaViolation);
  });

  it('applies the shape rules that tie two fields together', () => {
    const settled = (data: Record<string, unknown>) =>
      JSON.stringify({
        eventId: '00000000-0000-4000-8000-000000000010',
        type: 'InvoiceSettled',
        occurredAt: '2025-11-06T09:00:00Z',
        source: 'billing',
        data: { invoiceId: 'i', settlementId: 's', amount: { amount: '1', currency: 'USD' }, ...data },
      });
    expect(reasonOf(settled({ method: 'credits' }))).toBe(RejectionCode.SchemaViolation);
    expect(reasonOf(settled({ method: 'cash', grantId: 'g' }))).toBe(RejectionCode.SchemaViolation);
    expect(reasonOf(settled({ method: 'credits', grantId: 'g' }))).toBe('ok');
    const signed = (startsAt: string, endsAt: string) =>
      JSON.stringify({
        eventId: '00000000-0000-4000-8000-000000000010',
        type: 'ComputeCommitmentSigned',
        occurredAt: '2025-11-06T09:00:00Z',
        source: 'billing',
        data: { commitmentId: 'c', customerId: 'a', providerId: 'b', amount: { amount: '1', currency: 'USD' }, startsAt, endsAt },
      });
    expect(reasonOf(signed('2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'))).toBe(RejectionCode.SchemaViolation);
    expect(reasonOf(signed('2025-01-01T01:00:00+01:00', '2025-01-01T00:00:00.001Z'))).toBe('ok');
  });

  it('never throws, whatever the input, and always names a contract code', () => {
    const anyInput = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.string({ maxLength: 300 }),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      validEvent().chain((event) =>
        fc
          .tuple(fc.constantFrom('eventId', 'type', 'occurredAt', 'source', 'data', 'schemaVersion', 'extra'), fc.jsonValue())
          .map(([key, value]) => JSON.stringify({ ...event, [key]: value })),
      ),
    );
    fc.assert(
      fc.property(anyInput, (input) => {
        const outcome = parseEvent(input);
        if (!outcome.ok) expect(REJECTION_CODES).toContain(outcome.rejection.reason);
      }),
      { numRuns: 3000 },
    );
  });
});

import { RejectionCode } from '@capflow/contracts';
import { deadLetterRecord, deliveryOf, Header, notBeforeOf, originalHeaders, readDeadLetter, retryRecord } from './dead-letter';
import { InboundMessage, OutboundRecord } from './kafka-message';

const INPUT = 'capflow.events.v1';
const RETRY = `${INPUT}.retry`;
const DLQ = `${INPUT}.dlq`;
const NOW = new Date('2025-03-01T12:00:00.000Z');
const LATER = new Date('2025-03-01T12:00:04.000Z');
const REJECTION = { reason: RejectionCode.UnknownReference, detail: 'data.invoiceId "INV-9" names no invoice' };

/** Bytes that are not UTF-8: a header or value kept "byte for byte" must survive them. */
const BINARY = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x0a]);

function message(fields: Partial<Omit<InboundMessage, 'headers'>> & { headers?: Record<string, string | Buffer> } = {}): InboundMessage {
  const headers = new Map<string, Buffer>();
  for (const [name, value] of Object.entries(fields.headers ?? {})) headers.set(name, Buffer.isBuffer(value) ? value : Buffer.from(value));
  return {
    topic: INPUT,
    partition: 3,
    offset: '42',
    key: Buffer.from('invoice-INV-9'),
    value: Buffer.from('{"type":"InvoiceSettled"}'),
    timestamp: '1740830400000',
    ...fields,
    headers,
  };
}

/** Headers capflow writes when it moves a record to the retry topic, as a consumer would read them. */
const retryHeaders = (original: { topic: string; partition: string; offset: string }, attempt: string) => ({
  [Header.OriginalTopic]: original.topic,
  [Header.OriginalPartition]: original.partition,
  [Header.OriginalOffset]: original.offset,
  [Header.Attempt]: attempt,
});

/** What a consumer of `topic` would get for a published record: every value as bytes. */
function consumed(record: OutboundRecord, topic: string, partition: number, offset: string): InboundMessage {
  const orNull = (value: Buffer | string | null) => (value === null ? null : bytes(value));
  return {
    topic,
    partition,
    offset,
    key: orNull(record.key),
    value: orNull(record.value),
    headers: headersOf(record),
    timestamp: String(NOW.getTime()),
  };
}

const bytes = (value: Buffer | string): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(value));

/** A record's headers, every value as bytes. */
function headersOf(record: OutboundRecord): Map<string, Buffer> {
  return new Map([...(record.headers ?? [])].map(([name, value]) => [name, bytes(value)]));
}

/** Header values as bytes, from text or bytes. */
const headerMap = (headers: Record<string, string | Buffer>) =>
  new Map(Object.entries(headers).map(([name, value]) => [name, bytes(value)]));

const headerText = (record: OutboundRecord, name: string) => {
  const value = record.headers?.get(name);
  return value === undefined ? undefined : value.toString();
};

describe('deliveryOf', () => {
  it('given a record on the input topic, when read, then it is the first delivery at its own coordinates', () => {
    expect(deliveryOf(message({ partition: 3, offset: '42' }), RETRY)).toEqual({ topic: INPUT, partition: 3, offset: '42', attempt: 1 });
  });

  it('given capflow headers on the input topic, when read, then they are not believed: a producer cannot fake an attempt or an origin', () => {
    const hostile = message({
      headers: {
        ...retryHeaders({ topic: 'payments.elsewhere', partition: '7', offset: '1' }, '99'),
        [Header.NotBefore]: '2999-01-01T00:00:00Z',
      },
    });
    expect(deliveryOf(hostile, RETRY)).toEqual({ topic: INPUT, partition: 3, offset: '42', attempt: 1 });
  });

  it('given capflow headers on a topic that is not the retry topic (e.g. the dead-letter topic), when read, then they are not believed', () => {
    const parked = message({
      topic: DLQ,
      partition: 0,
      offset: '5',
      headers: retryHeaders({ topic: INPUT, partition: '2', offset: '9' }, '4'),
    });
    expect(deliveryOf(parked, RETRY)).toEqual({ topic: DLQ, partition: 0, offset: '5', attempt: 1 });
  });

  it('given a record on the retry topic, when read, then its origin and attempt come from its headers', () => {
    const retried = message({
      topic: RETRY,
      partition: 1,
      offset: '8',
      headers: retryHeaders({ topic: INPUT, partition: '5', offset: '9223372036854775807' }, '3'),
    });
    expect(deliveryOf(retried, RETRY)).toEqual({ topic: INPUT, partition: 5, offset: '9223372036854775807', attempt: 3 });
  });

  it.each([
    ['no headers at all', {}],
    ['no original topic', { [Header.OriginalPartition]: '5', [Header.OriginalOffset]: '9', [Header.Attempt]: '3' }],
    ['an empty original topic', retryHeaders({ topic: '', partition: '5', offset: '9' }, '3')],
    ['a partition that is not a number', retryHeaders({ topic: INPUT, partition: 'five', offset: '9' }, '3')],
    ['a negative partition', retryHeaders({ topic: INPUT, partition: '-1', offset: '9' }, '3')],
    ['a fractional partition', retryHeaders({ topic: INPUT, partition: '1.5', offset: '9' }, '3')],
    ['no partition', { [Header.OriginalTopic]: INPUT, [Header.OriginalOffset]: '9', [Header.Attempt]: '3' }],
    ['no offset', { [Header.OriginalTopic]: INPUT, [Header.OriginalPartition]: '5', [Header.Attempt]: '3' }],
    ['an empty offset', retryHeaders({ topic: INPUT, partition: '5', offset: '' }, '3')],
    ['an offset that is not a number', retryHeaders({ topic: INPUT, partition: '5', offset: 'latest' }, '3')],
    ['a negative offset', retryHeaders({ topic: INPUT, partition: '5', offset: '-9' }, '3')],
    ['an offset of 21 digits', retryHeaders({ topic: INPUT, partition: '5', offset: '1'.repeat(21) }, '3')],
  ])('given a retry-topic record with %s, when read, then it falls back to its own coordinates at attempt 1', (_, headers) => {
    expect(deliveryOf(message({ topic: RETRY, partition: 1, offset: '8', headers }), RETRY)).toEqual({
      topic: RETRY,
      partition: 1,
      offset: '8',
      attempt: 1,
    });
  });

  it.each([
    ['missing', undefined],
    ['not a number', 'three'],
    ['zero', '0'],
    ['negative', '-2'],
    ['fractional', '2.5'],
    ['empty', ''],
  ])('given a retry-topic record whose attempt is %s, when read, then its origin is kept and the attempt is 1', (_, attempt) => {
    const headers: Record<string, string> = {
      [Header.OriginalTopic]: INPUT,
      [Header.OriginalPartition]: '5',
      [Header.OriginalOffset]: '9',
    };
    if (attempt !== undefined) headers[Header.Attempt] = attempt;
    expect(deliveryOf(message({ topic: RETRY, partition: 1, offset: '8', headers }), RETRY)).toEqual({
      topic: INPUT,
      partition: 5,
      offset: '9',
      attempt: 1,
    });
  });

  it.each(['', '0x2', '1e1', '-1', ' 2 '])(
    'given a retry-topic record whose original-partition header is %j, when read, then it falls back to its own coordinates',
    (partition) => {
      const record = message({
        topic: RETRY,
        partition: 2,
        offset: '7',
        headers: retryHeaders({ topic: INPUT, partition, offset: '3' }, '2'),
      });
      expect(deliveryOf(record, RETRY)).toEqual({ topic: RETRY, partition: 2, offset: '7', attempt: 1 });
    },
  );
});

describe('notBeforeOf', () => {
  it('given a not-before header, when read, then it is that instant in epoch ms', () => {
    expect(notBeforeOf(message({ headers: { [Header.NotBefore]: LATER.toISOString() } }))).toBe(LATER.getTime());
  });

  it.each([
    ['missing', {}],
    ['empty', { [Header.NotBefore]: '' }],
    ['not a date', { [Header.NotBefore]: 'tomorrow-ish' }],
    ['binary', { [Header.NotBefore]: BINARY }],
  ])('given a not-before header that is %s, when read, then the record is due now (0)', (_, headers) => {
    expect(notBeforeOf(message({ headers }))).toBe(0);
  });
});

describe('retryRecord', () => {
  const producerHeaders = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'content-type': BINARY };

  it('given a first delivery, when moved to the retry topic, then key, value and the producer headers are kept byte for byte', () => {
    const original = message({ key: Buffer.from('invoice-INV-9'), value: BINARY, headers: producerHeaders });
    const record = retryRecord(original, deliveryOf(original, RETRY), REJECTION, NOW, LATER);
    expect(record.key).toEqual(Buffer.from('invoice-INV-9'));
    expect(record.value).toEqual(BINARY);
    expect(record.headers?.get('traceparent')).toEqual(Buffer.from(producerHeaders.traceparent));
    expect(record.headers?.get('content-type')).toEqual(BINARY);
  });

  it('given a first delivery, when moved to the retry topic, then it carries why, where from, attempt 2, when it failed and when it is due', () => {
    const original = message({ partition: 3, offset: '42' });
    const record = retryRecord(original, deliveryOf(original, RETRY), REJECTION, NOW, LATER);
    expect(headersOf(record)).toEqual(
      headerMap({
        [Header.Reason]: 'unknown_reference',
        [Header.Detail]: REJECTION.detail,
        [Header.OriginalTopic]: INPUT,
        [Header.OriginalPartition]: '3',
        [Header.OriginalOffset]: '42',
        [Header.Attempt]: '2',
        [Header.FailedAt]: '2025-03-01T12:00:00.000Z',
        [Header.NotBefore]: '2025-03-01T12:00:04.000Z',
      }),
    );
  });

  it('given a retry-topic record, when moved again, then the origin stays the first one and the attempt goes up by one', () => {
    const retried = message({
      topic: RETRY,
      partition: 0,
      offset: '77',
      headers: retryHeaders({ topic: INPUT, partition: '3', offset: '42' }, '2'),
    });
    const record = retryRecord(retried, deliveryOf(retried, RETRY), REJECTION, NOW, LATER);
    expect(headerText(record, Header.OriginalTopic)).toBe(INPUT);
    expect(headerText(record, Header.OriginalPartition)).toBe('3');
    expect(headerText(record, Header.OriginalOffset)).toBe('42');
    expect(headerText(record, Header.Attempt)).toBe('3');
  });

  it("given incoming capflow-* headers, when moved, then they are dropped and only capflow's own are set", () => {
    const hostile = message({
      headers: {
        'x-origin': 'erp',
        [Header.ValueOmitted]: 'fake',
        'capflow-anything': 'fake',
        ...retryHeaders({ topic: 'elsewhere', partition: '9', offset: '9' }, '99'),
      },
    });
    const record = retryRecord(hostile, deliveryOf(hostile, RETRY), REJECTION, NOW, LATER);
    expect([...(record.headers?.keys() ?? [])].sort()).toEqual(
      [
        'x-origin',
        Header.Reason,
        Header.Detail,
        Header.OriginalTopic,
        Header.OriginalPartition,
        Header.OriginalOffset,
        Header.Attempt,
        Header.FailedAt,
        Header.NotBefore,
      ].sort(),
    );
    expect(headerText(record, Header.OriginalTopic)).toBe(INPUT);
    expect(headerText(record, Header.Attempt)).toBe('2');
  });

  it('given a record without key or value, when moved, then they stay null', () => {
    const empty = message({ key: null, value: null });
    const record = retryRecord(empty, deliveryOf(empty, RETRY), REJECTION, NOW, LATER);
    expect(record.key).toBeNull();
    expect(record.value).toBeNull();
  });
});

describe('deadLetterRecord', () => {
  const rejection = { reason: RejectionCode.SchemaViolation, detail: 'data.amount is required' };

  it("given a first delivery, when parked, then key, value and producer headers are kept and the attempt is the delivery's own, with no not-before", () => {
    const original = message({ value: BINARY, headers: { 'x-origin': BINARY, [Header.NotBefore]: LATER.toISOString() } });
    const record = deadLetterRecord(original, deliveryOf(original, RETRY), rejection, NOW);
    expect(record.key).toEqual(original.key);
    expect(record.value).toEqual(BINARY);
    expect(headersOf(record)).toEqual(
      headerMap({
        'x-origin': BINARY,
        [Header.Reason]: 'schema_violation',
        [Header.Detail]: 'data.amount is required',
        [Header.OriginalTopic]: INPUT,
        [Header.OriginalPartition]: '3',
        [Header.OriginalOffset]: '42',
        [Header.Attempt]: '1',
        [Header.FailedAt]: '2025-03-01T12:00:00.000Z',
      }),
    );
  });

  it('given a retry-topic record at its last attempt, when parked, then it names the first origin and that attempt', () => {
    const retried = message({
      topic: RETRY,
      partition: 2,
      offset: '11',
      headers: retryHeaders({ topic: INPUT, partition: '3', offset: '42' }, '5'),
    });
    const record = deadLetterRecord(retried, deliveryOf(retried, RETRY), REJECTION, NOW);
    expect(headerText(record, Header.OriginalTopic)).toBe(INPUT);
    expect(headerText(record, Header.OriginalPartition)).toBe('3');
    expect(headerText(record, Header.OriginalOffset)).toBe('42');
    expect(headerText(record, Header.Attempt)).toBe('5');
    expect(record.headers?.has(Header.NotBefore)).toBe(false);
  });

  it('given a detail of 1000 characters, when parked, then it is kept whole', () => {
    const detail = 'd'.repeat(1000);
    const record = deadLetterRecord(message(), deliveryOf(message(), RETRY), { reason: RejectionCode.SchemaViolation, detail }, NOW);
    expect(headerText(record, Header.Detail)).toBe(detail);
  });

  it('given a longer detail, when parked or retried, then it is cut to its first 1000 characters and an ellipsis', () => {
    const detail = `${'a'.repeat(1000)}${'b'.repeat(5000)}`;
    const parked = deadLetterRecord(message(), deliveryOf(message(), RETRY), { reason: RejectionCode.SchemaViolation, detail }, NOW);
    const retried = retryRecord(message(), deliveryOf(message(), RETRY), { reason: RejectionCode.UnknownReference, detail }, NOW, LATER);
    expect(headerText(parked, Header.Detail)).toBe(`${'a'.repeat(1000)}…`);
    expect(headerText(retried, Header.Detail)).toBe(`${'a'.repeat(1000)}…`);
  });
});

describe('originalHeaders', () => {
  it('given a mix of headers, when filtered, then exactly the ones not starting with capflow- are kept, as they were', () => {
    const mixed = message({
      headers: {
        'x-a': 'a',
        'Capflow-Reason': 'kept: the prefix is case-sensitive',
        'capflow-reason': 'dropped',
        'my-capflow-id': 'kept',
        bin: BINARY,
      },
    });
    expect(originalHeaders(mixed)).toEqual(
      new Map<string, Buffer>([
        ['x-a', Buffer.from('a')],
        ['Capflow-Reason', Buffer.from('kept: the prefix is case-sensitive')],
        ['my-capflow-id', Buffer.from('kept')],
        ['bin', BINARY],
      ]),
    );
  });
});

describe('readDeadLetter', () => {
  it('given what deadLetterRecord wrote, when read back from the dead-letter topic, then every field is recovered', () => {
    const retried = message({
      topic: RETRY,
      partition: 0,
      offset: '77',
      value: BINARY,
      headers: { 'x-origin': 'erp', ...retryHeaders({ topic: INPUT, partition: '3', offset: '42' }, '5') },
    });
    const written = deadLetterRecord(retried, deliveryOf(retried, RETRY), REJECTION, NOW);
    const letter = readDeadLetter(consumed(written, DLQ, 2, '17'));
    expect(letter).toEqual({
      partition: 2,
      offset: '17',
      original: { topic: INPUT, partition: 3, offset: '42' },
      reason: 'unknown_reference',
      detail: REJECTION.detail,
      attempt: 5,
      failedAt: '2025-03-01T12:00:00.000Z',
      valueOmitted: null,
      key: Buffer.from('invoice-INV-9'),
      value: BINARY,
      headers: expect.any(Map),
    });
    expect(letter.headers.get('x-origin')).toEqual(Buffer.from('erp'));
  });

  it('given a dead letter whose value was omitted for size, when read back, then the omission is reported and the value is null', () => {
    const written = deadLetterRecord(message(), deliveryOf(message(), RETRY), REJECTION, NOW);
    written.headers?.set(Header.ValueOmitted, '70000 bytes, sha256 abc');
    const letter = readDeadLetter(consumed({ ...written, value: null }, DLQ, 0, '1'));
    expect(letter.valueOmitted).toBe('70000 bytes, sha256 abc');
    expect(letter.value).toBeNull();
  });

  it('given a record without capflow headers, when read back, then it gets safe placeholders', () => {
    const letter = readDeadLetter(
      message({ topic: DLQ, partition: 1, offset: '4', headers: { [Header.OriginalPartition]: 'x', [Header.Attempt]: 'many' } }),
    );
    expect(letter).toMatchObject({
      partition: 1,
      offset: '4',
      original: null,
      reason: 'unknown',
      detail: '',
      attempt: 1,
      failedAt: '',
      valueOmitted: null,
    });
  });
});

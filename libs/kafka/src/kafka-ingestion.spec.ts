import { REJECTION_CODES, RejectionCode } from '@capflow/contracts';
import type { IngestionService, IngestItem, IngestOutcome } from '@capflow/ingestion';
import { Header } from './dead-letter';
import type { RecordPublisher } from './kafka-client';
import { IngestedBatch, KafkaIngestion } from './kafka-ingestion';
import { InboundBatch, InboundMessage, OutboundRecord } from './kafka-message';
import { KafkaSettings } from './kafka-settings';
import { DLQ, FakePublisher, INPUT, NOW, RETRY, SETTINGS } from './testing/kafka-ingestion.doubles';

const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

const accepted = (position: number): IngestOutcome => ({ status: 'accepted', eventId: `e-${position}`, position });
const duplicate = (position: number): IngestOutcome => ({ status: 'duplicate', eventId: `e-${position}`, position });
const rejected = (reason: RejectionCode, detail = `refused: ${reason}`): IngestOutcome => ({
  status: 'rejected',
  eventId: null,
  reason,
  detail,
});

/** Answers each batch with the outcomes it is given, in order, and remembers what it was asked. */
class FakeIngestion {
  readonly calls: IngestItem[][] = [];
  failure: Error | null = null;
  constructor(private readonly answer: (item: IngestItem, index: number) => IngestOutcome = (_, index) => accepted(index)) {}

  async ingest(items: readonly IngestItem[]): Promise<IngestOutcome[]> {
    this.calls.push([...items]);
    if (this.failure) throw this.failure;
    return items.map((item, index) => this.answer(item, index));
  }
}

function setUp(answer?: (item: IngestItem, index: number) => IngestOutcome, settings: Partial<KafkaSettings> = {}) {
  const ingestion = new FakeIngestion(answer);
  const publisher = new FakePublisher();
  const observed: IngestedBatch[] = [];
  const kafka = new KafkaIngestion(
    ingestion as unknown as IngestionService,
    publisher as unknown as RecordPublisher,
    { ...SETTINGS, ...settings },
    () => NOW,
    (batch) => observed.push(batch),
  );
  return { kafka, ingestion, publisher, observed };
}

function message(
  offset: number,
  fields: Partial<Omit<InboundMessage, 'headers'>> & { headers?: Record<string, string> } = {},
): InboundMessage {
  return {
    topic: INPUT,
    partition: 2,
    offset: String(offset),
    key: Buffer.from(`invoice-INV-${offset}`),
    value: Buffer.from(`{"n":${offset}}`),
    timestamp: String(NOW.getTime()),
    ...fields,
    headers: new Map(Object.entries(fields.headers ?? {}).map(([name, value]) => [name, Buffer.from(value)])),
  };
}

/** A record capflow moved to the retry topic: first seen at INPUT/2@origin, `attempt` deliveries so far. */
function retried(offset: number, origin: number, attempt: number, notBefore: string = at(0)): InboundMessage {
  return message(offset, {
    topic: RETRY,
    partition: 0,
    headers: {
      [Header.OriginalTopic]: INPUT,
      [Header.OriginalPartition]: '2',
      [Header.OriginalOffset]: String(origin),
      [Header.Attempt]: String(attempt),
      [Header.NotBefore]: notBefore,
      [Header.Reason]: RejectionCode.UnknownReference,
    },
  });
}

const batchOf = (messages: InboundMessage[], highWatermark?: string): InboundBatch => ({
  topic: messages[0].topic,
  partition: messages[0].partition,
  highWatermark: highWatermark ?? String(Number(messages[messages.length - 1].offset) + 1),
  messages,
});

const header = (record: OutboundRecord, name: string) => record.headers?.get(name)?.toString();

describe('KafkaIngestion.handle', () => {
  it('given accepted and duplicate records, when handled, then all are done and nothing is published anywhere', async () => {
    const { kafka, publisher } = setUp((_, index) => (index % 2 ? duplicate(index) : accepted(index)));
    await expect(kafka.handle(batchOf([message(10), message(11), message(12)]))).resolves.toEqual({ handled: 3 });
    expect(publisher.all).toEqual([]);
  });

  it("given a batch, when handled, then the whole batch goes to ingest at once with each record's bytes and Kafka coordinates", async () => {
    const { kafka, ingestion } = setUp();
    await kafka.handle(batchOf([message(10), message(11)]));
    expect(ingestion.calls).toEqual([
      [
        { input: Buffer.from('{"n":10}'), metadata: { kafka: { topic: INPUT, partition: 2, offset: '10' } } },
        { input: Buffer.from('{"n":11}'), metadata: { kafka: { topic: INPUT, partition: 2, offset: '11' } } },
      ],
    ]);
  });

  it('given a record with a null value, when handled, then it is ingested as empty bytes', async () => {
    const { kafka, ingestion } = setUp();
    await kafka.handle(batchOf([message(10, { value: null })]));
    const input = ingestion.calls[0][0].input;
    expect(Buffer.isBuffer(input) && input.length).toBe(0);
  });

  it('given a retry-topic record, when handled, then ingest gets its original coordinates and, as delivered, where and which attempt it is', async () => {
    const { kafka, ingestion } = setUp();
    await kafka.handle(batchOf([retried(7, 40, 3)]));
    expect(ingestion.calls[0][0].metadata).toEqual({
      kafka: { topic: INPUT, partition: 2, offset: '40', delivered: { topic: RETRY, partition: 0, offset: '7', attempt: 3 } },
    });
  });

  it('given capflow headers on an input-topic record, when handled, then ingest gets its real coordinates only', async () => {
    const { kafka, ingestion } = setUp();
    const forged = message(10, {
      headers: {
        [Header.OriginalTopic]: 'elsewhere',
        [Header.OriginalPartition]: '9',
        [Header.OriginalOffset]: '1',
        [Header.Attempt]: '4',
      },
    });
    await kafka.handle(batchOf([forged]));
    expect(ingestion.calls[0][0].metadata).toEqual({ kafka: { topic: INPUT, partition: 2, offset: '10' } });
  });

  it('given an unknown_reference on its first delivery, when handled, then it goes to the retry topic as attempt 2, due after the backoff', async () => {
    const { kafka, publisher } = setUp((_, index) =>
      index === 1 ? rejected(RejectionCode.UnknownReference, 'no invoice INV-11') : accepted(index),
    );
    const original = message(11, { headers: { traceparent: 'abc' } });
    await expect(kafka.handle(batchOf([message(10), original, message(12)]))).resolves.toEqual({ handled: 3 });

    expect(publisher.to(DLQ)).toEqual([]);
    const [record, ...others] = publisher.to(RETRY);
    expect(others).toEqual([]);
    expect(record.key).toEqual(original.key);
    expect(record.value).toEqual(original.value);
    expect(header(record, 'traceparent')).toBe('abc');
    expect(header(record, Header.Reason)).toBe('unknown_reference');
    expect(header(record, Header.Detail)).toBe('no invoice INV-11');
    expect(header(record, Header.OriginalTopic)).toBe(INPUT);
    expect(header(record, Header.OriginalPartition)).toBe('2');
    expect(header(record, Header.OriginalOffset)).toBe('11');
    expect(header(record, Header.Attempt)).toBe('2');
    expect(header(record, Header.FailedAt)).toBe(NOW.toISOString());
    expect(header(record, Header.NotBefore)).toBe(at(1000));
  });

  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 5000], // 8000, capped at maxBackoffMs
    [9, 5000],
  ])(
    'given an unknown_reference at delivery %i, when retried, then it is due backoff·2^(attempt-1) = %i ms later, capped',
    async (attempt, wait) => {
      const { kafka, publisher } = setUp(() => rejected(RejectionCode.UnknownReference), { maxAttempts: 10 });
      await kafka.handle(batchOf([attempt === 1 ? message(10) : retried(7, 10, attempt)]));
      const [record] = publisher.to(RETRY);
      expect(header(record, Header.NotBefore)).toBe(at(wait));
      expect(header(record, Header.Attempt)).toBe(String(attempt + 1));
      expect(header(record, Header.OriginalOffset)).toBe('10');
    },
  );

  it('given a very late attempt, when retried, then the backoff stays capped (no overflow to Infinity or NaN)', async () => {
    const { kafka, publisher } = setUp(() => rejected(RejectionCode.UnknownReference), { maxAttempts: 1000, maxBackoffMs: 86_400_000 });
    await kafka.handle(batchOf([retried(7, 10, 999)]));
    expect(header(publisher.to(RETRY)[0], Header.NotBefore)).toBe(at(86_400_000));
  });

  it('given an unknown_reference at its last attempt, when handled, then it goes to the dead-letter topic, not to retry', async () => {
    const { kafka, publisher } = setUp(() => rejected(RejectionCode.UnknownReference, 'still no invoice'));
    await expect(kafka.handle(batchOf([retried(7, 40, SETTINGS.maxAttempts)]))).resolves.toEqual({ handled: 1 });
    expect(publisher.to(RETRY)).toEqual([]);
    const [record, ...others] = publisher.to(DLQ);
    expect(others).toEqual([]);
    expect(header(record, Header.Reason)).toBe('unknown_reference');
    expect(header(record, Header.Detail)).toBe('still no invoice');
    expect(header(record, Header.Attempt)).toBe(String(SETTINGS.maxAttempts));
    expect(header(record, Header.OriginalTopic)).toBe(INPUT);
    expect(header(record, Header.OriginalOffset)).toBe('40');
    expect(record.headers?.has(Header.NotBefore)).toBe(false);
  });

  it('given the attempt before the last, when handled, then it is still retried', async () => {
    const { kafka, publisher } = setUp(() => rejected(RejectionCode.UnknownReference));
    await kafka.handle(batchOf([retried(7, 40, SETTINGS.maxAttempts - 1)]));
    expect(publisher.to(DLQ)).toEqual([]);
    expect(header(publisher.to(RETRY)[0], Header.Attempt)).toBe(String(SETTINGS.maxAttempts));
  });

  it('given maxAttempts 1, when an unknown_reference arrives, then it goes straight to the dead-letter topic', async () => {
    const { kafka, publisher } = setUp(() => rejected(RejectionCode.UnknownReference), { maxAttempts: 1 });
    await kafka.handle(batchOf([message(10)]));
    expect(publisher.to(RETRY)).toEqual([]);
    expect(publisher.to(DLQ)).toHaveLength(1);
  });

  it.each(REJECTION_CODES.filter((code) => code !== RejectionCode.UnknownReference))(
    'given a %s rejection, when handled, then it goes straight to the dead-letter topic at attempt 1',
    async (code) => {
      const { kafka, publisher } = setUp(() => rejected(code, `because ${code}`));
      await expect(kafka.handle(batchOf([message(10)]))).resolves.toEqual({ handled: 1 });
      expect(publisher.to(RETRY)).toEqual([]);
      const [record, ...others] = publisher.to(DLQ);
      expect(others).toEqual([]);
      expect(header(record, Header.Reason)).toBe(code);
      expect(header(record, Header.Detail)).toBe(`because ${code}`);
      expect(header(record, Header.Attempt)).toBe('1');
      expect(header(record, Header.OriginalOffset)).toBe('10');
    },
  );

  it('given a retry-topic record refused for another reason, when handled, then it goes to the dead-letter topic with its attempt', async () => {
    const { kafka, publisher } = setUp(() => rejected(RejectionCode.CurrencyMismatch));
    await kafka.handle(batchOf([retried(7, 40, 2)]));
    expect(publisher.to(RETRY)).toEqual([]);
    expect(header(publisher.to(DLQ)[0], Header.Attempt)).toBe('2');
    expect(header(publisher.to(DLQ)[0], Header.Reason)).toBe('currency_mismatch');
  });

  it('given a mixed batch, when handled, then each rejected record goes to its own topic, in batch order', async () => {
    const outcomes = [
      accepted(0),
      rejected(RejectionCode.UnknownReference),
      rejected(RejectionCode.SchemaViolation),
      duplicate(3),
      rejected(RejectionCode.UnknownReference),
      rejected(RejectionCode.MalformedJson),
    ];
    const { kafka, publisher, observed } = setUp((_, index) => outcomes[index]);
    await expect(kafka.handle(batchOf([10, 11, 12, 13, 14, 15].map((offset) => message(offset))))).resolves.toEqual({ handled: 6 });
    expect(publisher.to(RETRY).map((record) => header(record, Header.OriginalOffset))).toEqual(['11', '14']);
    expect(publisher.to(DLQ).map((record) => header(record, Header.OriginalOffset))).toEqual(['12', '15']);
    expect(observed[0]).toMatchObject({ retried: 2, deadLettered: 2, outcomes });
  });

  it('given a retry-topic batch with a record not yet due, when handled, then the batch stops there and says when to come back', async () => {
    const { kafka, ingestion } = setUp();
    const batch = batchOf([
      retried(7, 40, 2, at(-500)),
      retried(8, 41, 2, at(0)),
      retried(9, 42, 2, at(3000)),
      retried(10, 43, 2, at(-100)),
    ]);
    await expect(kafka.handle(batch)).resolves.toEqual({ handled: 2, retryAfterMs: 3000 });
    expect(ingestion.calls).toHaveLength(1);
    expect(ingestion.calls[0].map((item) => (item.metadata?.kafka as { offset: string }).offset)).toEqual(['40', '41']);
  });

  it('given a retry-topic batch whose first record is not due, when handled, then nothing is ingested or published and none is done', async () => {
    const { kafka, ingestion, publisher } = setUp();
    await expect(kafka.handle(batchOf([retried(7, 40, 2, at(1500)), retried(8, 41, 2, at(0))]))).resolves.toEqual({
      handled: 0,
      retryAfterMs: 1500,
    });
    expect(ingestion.calls).toEqual([]);
    expect(publisher.all).toEqual([]);
  });

  it('given a not-before header on the input topic, when handled, then it is ignored: every record is due', async () => {
    const { kafka, ingestion } = setUp();
    await expect(kafka.handle(batchOf([message(10, { headers: { [Header.NotBefore]: at(60_000) } }), message(11)]))).resolves.toEqual({
      handled: 2,
    });
    expect(ingestion.calls[0]).toHaveLength(2);
  });

  it('given the publisher rejects, when handled, then handle rejects (so the offsets are not committed)', async () => {
    const { kafka, publisher } = setUp(() => rejected(RejectionCode.SchemaViolation));
    publisher.failure = new Error('broker gone');
    await expect(kafka.handle(batchOf([message(10)]))).rejects.toThrow('broker gone');
  });

  it('given the publisher rejects a retry, when handled, then handle rejects', async () => {
    const { kafka, publisher } = setUp(() => rejected(RejectionCode.UnknownReference));
    publisher.failure = new Error('not enough replicas');
    await expect(kafka.handle(batchOf([message(10)]))).rejects.toThrow('not enough replicas');
    expect(publisher.to(RETRY)).toHaveLength(1);
  });

  it('given ingest rejects, when handled, then handle rejects and nothing is published', async () => {
    const { kafka, ingestion, publisher } = setUp();
    ingestion.failure = new Error('store unavailable');
    await expect(kafka.handle(batchOf([message(10)]))).rejects.toThrow('store unavailable');
    expect(publisher.all).toEqual([]);
  });

  it('given a handled batch, when observed, then the observer gets its topic, partition, size, lag and outcomes', async () => {
    const { kafka, observed } = setUp();
    await kafka.handle(batchOf([message(10), message(11), message(12)], '100'));
    expect(observed).toEqual([
      {
        topic: INPUT,
        partition: 2,
        size: 3,
        seconds: expect.any(Number),
        lag: 87, // 100 - (12 + 1)
        outcomes: [accepted(0), accepted(1), accepted(2)],
        retried: 0,
        deadLettered: 0,
      },
    ]);
    expect(observed[0].seconds).toBeGreaterThanOrEqual(0);
  });

  it('given a batch cut short by a record not yet due, when observed, then size counts the due records and lag starts at the first waiting one', async () => {
    const { kafka, observed } = setUp();
    await kafka.handle(batchOf([retried(7, 40, 2), retried(8, 41, 2, at(10_000)), retried(9, 42, 2)], '20'));
    expect(observed[0]).toMatchObject({ topic: RETRY, partition: 0, size: 1, lag: 12 }); // 20 - 8
  });

  it('given a batch with nothing due, when observed, then size is 0 and lag counts from its first record', async () => {
    const { kafka, observed } = setUp();
    await kafka.handle(batchOf([retried(7, 40, 2, at(10_000))], '20'));
    expect(observed[0]).toMatchObject({ size: 0, lag: 13, outcomes: [] }); // 20 - 7
  });

  it('given a batch at the high watermark, when observed, then the lag is 0', async () => {
    const { kafka, observed } = setUp();
    await kafka.handle(batchOf([message(10), message(11)], '12'));
    expect(observed[0].lag).toBe(0);
  });

  it('given a batch with no messages, when handled, then it resolves { handled: 0 } without publishing', async () => {
    const { kafka, publisher } = setUp();
    await expect(kafka.handle({ topic: INPUT, partition: 0, highWatermark: '0', messages: [] })).resolves.toEqual({ handled: 0 });
    expect(publisher.all).toEqual([]);
  });
});

import { RejectionCode } from '@capflow/contracts';
import type { IngestionService, IngestItem, IngestOutcome } from '@capflow/ingestion';
import { Header } from './dead-letter';
import type { RecordPublisher } from './kafka-client';
import { Holding, IngestedBatch, KafkaIngestion } from './kafka-ingestion';
import { InboundBatch, InboundMessage, OutboundRecord } from './kafka-message';
import { KafkaSettings } from './kafka-settings';
import { DLQ, FakePublisher, INPUT, NOW, RETRY, SETTINGS } from './testing/kafka-ingestion.doubles';

/**
 * KafkaIngestion.handOver: a batch handed over at once and appended in its turn (pipelining), and
 * unknown_reference facts held in memory for later transactions (Holding).
 */


/**
 * The ingestion use case in miniature: one transaction at a time, in call order, each running its
 * `before` first; a fact `{"id":…,"ref":…}` is unknown_reference until its ref is stored, a fact
 * with `"bad":true` is a schema_violation, and a stored id comes again as a duplicate.
 */
class MiniIngestion {
  readonly stored = new Set<string>();
  /** The ids of each transaction that was decided (ran past its `before`), in order. */
  readonly decided: string[][] = [];
  readonly calls: IngestItem[][] = [];
  failing = new Set<number>();
  private queue: Promise<unknown> = Promise.resolve();

  ingest(items: readonly IngestItem[], options: { before?: () => Promise<void> } = {}): Promise<IngestOutcome[]> {
    const call = this.calls.push([...items]) - 1;
    const facts = items.map(
      (item) => JSON.parse(Buffer.from(item.input as Uint8Array).toString()) as { id: string; ref?: string; bad?: boolean },
    );
    const work = async () => {
      if (options.before) await options.before();
      this.decided.push(facts.map((fact) => fact.id));
      if (this.failing.has(call)) throw new Error(`transaction ${call} failed`);
      return facts.map((fact): IngestOutcome => {
        if (fact.bad) return { status: 'rejected', eventId: fact.id, reason: RejectionCode.SchemaViolation, detail: 'bad' };
        if (this.stored.has(fact.id)) return { status: 'duplicate', eventId: fact.id, position: 1 };
        if (fact.ref && !this.stored.has(fact.ref))
          return { status: 'rejected', eventId: fact.id, reason: RejectionCode.UnknownReference, detail: `${fact.ref} is unknown` };
        this.stored.add(fact.id);
        return { status: 'accepted', eventId: fact.id, position: this.stored.size };
      });
    };
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

const HOLDING: Holding = { rounds: 3, facts: 100, carry: 100, idleMs: 50 };

function setUp(hold: Holding | null = HOLDING, settings: Partial<KafkaSettings> = {}) {
  const ingestion = new MiniIngestion();
  const publisher = new FakePublisher();
  const observed: IngestedBatch[] = [];
  const kafka = new KafkaIngestion(
    ingestion as unknown as IngestionService,
    publisher as unknown as RecordPublisher,
    { ...SETTINGS, ...settings },
    () => NOW,
    (batch) => observed.push(batch),
    hold,
  );
  return { kafka, ingestion, publisher, observed };
}

type Fact = { id: string; ref?: string; bad?: boolean };

function message(partition: number, offset: number, fact: Fact, topic = INPUT, headers: Record<string, string> = {}): InboundMessage {
  return {
    topic,
    partition,
    offset: String(offset),
    key: Buffer.from(`key-${fact.id}`),
    value: Buffer.from(JSON.stringify(fact)),
    timestamp: String(NOW.getTime()),
    headers: new Map(Object.entries(headers).map(([name, value]) => [name, Buffer.from(value)])),
  };
}

function batch(partition: number, first: number, facts: Fact[], topic = INPUT): InboundBatch {
  return {
    topic,
    partition,
    highWatermark: String(first + facts.length),
    messages: facts.map((fact, index) => message(partition, first + index, fact, topic)),
  };
}

const state = async (promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> => {
  const marker = Symbol('pending');
  try {
    const value = await Promise.race([promise, new Promise((resolve) => setImmediate(() => resolve(marker)))]);
    return value === marker ? 'pending' : 'resolved';
  } catch {
    return 'rejected';
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const header = (record: OutboundRecord, name: string) => record.headers?.get(name)?.toString();

describe('KafkaIngestion.handOver (pipelining)', () => {
  it('given a batch, when handed over, then it returns at once with its records parsed into one ingest call, durable later', async () => {
    const { kafka, ingestion } = setUp(null);
    const outcome = kafka.handOver(batch(0, 0, [{ id: 'a' }, { id: 'b' }]));
    expect(outcome.handled).toBe(2);
    expect(ingestion.calls).toHaveLength(1);
    expect(ingestion.decided).toEqual([]); // its turn comes later
    await outcome.durable;
    expect(ingestion.decided).toEqual([['a', 'b']]);
  });

  it("given a partition's batch that fails, when its next batch's turn comes, then that one is not decided and fails too", async () => {
    const { kafka, ingestion } = setUp(null);
    ingestion.failing.add(0);
    const first = kafka.handOver(batch(0, 0, [{ id: 'a' }]));
    const second = kafka.handOver(batch(0, 1, [{ id: 'b' }]));
    const other = kafka.handOver(batch(1, 0, [{ id: 'c' }])); // another partition: not held back
    await expect(first.durable).rejects.toThrow('transaction 0 failed');
    await expect(second.durable).rejects.toThrow('transaction 0 failed');
    await other.durable;
    expect(ingestion.decided).toEqual([['a'], ['c']]);
  });

  it('given a failed batch delivered again, when handed over, then it is decided afresh', async () => {
    const { kafka, ingestion } = setUp(null);
    ingestion.failing.add(0);
    await expect(kafka.handOver(batch(0, 0, [{ id: 'a' }])).durable).rejects.toThrow();
    await kafka.handOver(batch(0, 0, [{ id: 'a' }])).durable; // sought back to offset 0
    expect([...ingestion.stored]).toEqual(['a']);
  });

  it('given a batch whose publishes fail, when handed over, then durable rejects', async () => {
    const { kafka, publisher } = setUp(null);
    publisher.failure = new Error('broker gone');
    await expect(kafka.handOver(batch(0, 0, [{ id: 'a', bad: true }])).durable).rejects.toThrow('broker gone');
  });
});

describe('KafkaIngestion.handOver (holding unknown references)', () => {
  it('given an unknown_reference whose fact comes in the next batch, then it is held, decided again after that batch and stored: no retry topic', async () => {
    const { kafka, ingestion, publisher, observed } = setUp();
    const first = kafka.handOver(batch(0, 0, [{ id: 'x' }, { id: 'pay', ref: 'party' }]));
    await first.appended;
    expect(await state(first.durable)).toBe('pending'); // its offset is not committed while the fact is only in memory
    const second = kafka.handOver(batch(1, 0, [{ id: 'party' }]));
    await second.durable;
    await first.durable;
    expect(ingestion.decided).toEqual([
      ['x', 'pay'],
      ['party', 'pay'],
    ]);
    expect(publisher.sends).toEqual([]);
    expect(observed.map((b) => b.held)).toEqual([1, 0]);
  });

  it('given a chain of held facts, when the consumer goes idle after something was stored, then they are decided again at once until they heal', async () => {
    const { kafka, ingestion, publisher } = setUp();
    const batches = [
      kafka.handOver(batch(0, 0, [{ id: 'f', ref: 'g' }])),
      kafka.handOver(batch(1, 0, [{ id: 'g', ref: 'h' }])),
      kafka.handOver(batch(2, 0, [{ id: 'h' }])),
    ];
    await Promise.all(batches.map((b) => b.durable));
    expect([...ingestion.stored].sort()).toEqual(['f', 'g', 'h']);
    expect(publisher.sends).toEqual([]);
  });

  it('given a fact still unknown after its rounds, then it goes to the retry topic as attempt 2 with its original coordinates, and only then is its batch durable', async () => {
    const { kafka, publisher } = setUp({ ...HOLDING, rounds: 2 });
    const first = kafka.handOver(batch(0, 7, [{ id: 'pay', ref: 'nobody' }]));
    kafka.handOver(batch(1, 0, [{ id: 'a' }]));
    expect(await state(first.durable)).toBe('pending');
    kafka.handOver(batch(1, 1, [{ id: 'b' }]));
    await first.durable;
    const [retry] = publisher.to(RETRY);
    expect(header(retry, Header.Attempt)).toBe('2');
    expect(header(retry, Header.OriginalTopic)).toBe(INPUT);
    expect(header(retry, Header.OriginalPartition)).toBe('0');
    expect(header(retry, Header.OriginalOffset)).toBe('7');
    expect(header(retry, Header.NotBefore)).toBe(new Date(NOW.getTime() + 1000).toISOString());
    expect(retry.value?.toString()).toBe(JSON.stringify({ id: 'pay', ref: 'nobody' }));
  });

  it('given no new batch and nothing stored since, then after idleMs the held facts go to the retry topic', async () => {
    const { kafka, publisher } = setUp({ ...HOLDING, idleMs: 30 });
    const first = kafka.handOver(batch(0, 0, [{ id: 'pay', ref: 'nobody' }]));
    await first.appended;
    expect(publisher.sends).toEqual([]);
    await sleep(60);
    await first.durable;
    expect(publisher.to(RETRY)).toHaveLength(1);
  });

  it('given more unknown references than may be held, then the others go to the retry topic at once', async () => {
    const { kafka, publisher } = setUp({ ...HOLDING, facts: 1 });
    const first = kafka.handOver(
      batch(0, 0, [
        { id: 'p1', ref: 'nobody' },
        { id: 'p2', ref: 'nobody' },
      ]),
    );
    await first.appended;
    expect(publisher.to(RETRY).map((record) => header(record, Header.OriginalOffset))).toEqual(['1']);
  });

  it('given a held fact refused for another reason when decided again, then it goes to the dead-letter topic', async () => {
    const { kafka, ingestion, publisher } = setUp();
    const first = kafka.handOver(batch(0, 0, [{ id: 'pay', ref: 'party' }]));
    await first.appended;
    // the next transaction refuses it for another reason (as a rule that compares it with a fact that came meanwhile would)
    const original = ingestion.ingest.bind(ingestion);
    ingestion.ingest = (items, options) =>
      original(items, options).then((outcomes) =>
        outcomes.map((outcome, index) =>
          index === outcomes.length - 1
            ? { status: 'rejected', eventId: 'pay', reason: RejectionCode.OccurredBeforeReference, detail: 'too early' }
            : outcome,
        ),
      );
    kafka.handOver(batch(1, 0, [{ id: 'party' }]));
    await first.durable;
    expect(publisher.to(DLQ).map((record) => header(record, Header.Reason))).toEqual([RejectionCode.OccurredBeforeReference]);
    expect(publisher.to(RETRY)).toEqual([]);
  });

  it('given the transaction that carries a held fact fails, then the batch the fact came from fails too (delivered again from there)', async () => {
    const { kafka, ingestion } = setUp();
    const first = kafka.handOver(batch(0, 0, [{ id: 'pay', ref: 'party' }]));
    await first.appended;
    ingestion.failing.add(1);
    const second = kafka.handOver(batch(1, 0, [{ id: 'party' }]));
    await expect(second.durable).rejects.toThrow('transaction 1 failed');
    await expect(first.durable).rejects.toThrow('transaction 1 failed');
  });

  it('given an unknown_reference from the retry topic, then it is not held: it goes on to its next attempt', async () => {
    const { kafka, publisher } = setUp();
    const retried = message(0, 3, { id: 'pay', ref: 'nobody' }, RETRY, {
      [Header.OriginalTopic]: INPUT,
      [Header.OriginalPartition]: '2',
      [Header.OriginalOffset]: '40',
      [Header.Attempt]: '2',
      [Header.NotBefore]: NOW.toISOString(),
    });
    await kafka.handOver({ topic: RETRY, partition: 0, highWatermark: '4', messages: [retried] }).durable;
    expect(publisher.to(RETRY).map((record) => header(record, Header.Attempt))).toEqual(['3']);
  });

  it("given a held fact, then it keeps its own copy of the record's bytes", async () => {
    const { kafka } = setUp();
    const first = batch(0, 0, [{ id: 'pay', ref: 'party' }]);
    const handed = kafka.handOver(first);
    await handed.appended;
    first.messages[0].value!.fill(0x20); // the fetch's buffer is reused
    kafka.handOver(batch(1, 0, [{ id: 'party' }]));
    await handed.durable;
  });

  it('without Holding, an unknown_reference goes to the retry topic at once', async () => {
    const { kafka, publisher } = setUp(null);
    await kafka.handOver(batch(0, 0, [{ id: 'pay', ref: 'party' }])).durable;
    expect(publisher.to(RETRY)).toHaveLength(1);
  });
});

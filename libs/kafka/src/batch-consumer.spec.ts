import { BatchConsumer } from './kafka-client';
import { BatchHandler, BatchOutcome, InboundBatch } from './kafka-message';

/**
 * The batch consumer over a fake kafkajs consumer: eachBatch is called here as kafkajs would, and
 * what the consumer resolves, commits, seeks and pauses is recorded.
 */

type Offsets = { topic: string; partition: number; offset: string }[];
type EachBatch = (payload: unknown) => Promise<void>;

class FakeConsumer {
  readonly events = { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' };
  eachBatch: EachBatch = async () => undefined;
  readonly commits: Offsets[] = [];
  readonly seeks: { topic: string; partition: number; offset: string }[] = [];
  readonly paused: unknown[] = [];
  readonly stale = new Set<string>();
  commitFailures = 0;
  disconnected = false;
  /** Committed offsets when disconnect() was called. */
  commitsAtDisconnect = -1;

  async connect(): Promise<void> {}
  async subscribe(): Promise<void> {}
  readonly listeners = new Map<string, () => void>();
  on(event: string, listener: () => void): void {
    this.listeners.set(event, listener);
  }
  async run(config: { eachBatch: EachBatch }): Promise<void> {
    this.eachBatch = config.eachBatch;
  }
  async commitOffsets(offsets: Offsets): Promise<void> {
    if (this.commitFailures > 0) {
      this.commitFailures -= 1;
      throw new Error('The coordinator is not aware of this member');
    }
    this.commits.push(offsets);
  }
  seek(entry: { topic: string; partition: number; offset: string }): void {
    this.seeks.push(entry);
    this.stale.add(`${entry.topic}|${entry.partition}`);
  }
  pause(topics: unknown): void {
    this.paused.push(topics);
  }
  async disconnect(): Promise<void> {
    this.commitsAtDisconnect = this.commits.length;
    this.disconnected = true;
  }

  /** The last committed offset of a partition (null: none). */
  committed(topic: string, partition: number): string | null {
    let found: string | null = null;
    for (const commit of this.commits)
      for (const entry of commit) if (entry.topic === topic && entry.partition === partition) found = entry.offset;
    return found;
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<void>((ok, ko) => ([resolve, reject] = [ok, ko]));
  return { promise, resolve, reject };
}

/** Lets every pending callback run. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

const TOPIC = 'capflow.events.v1';

function payload(consumer: FakeConsumer, partition: number, offsets: number[], topic = TOPIC) {
  const resolved: string[] = [];
  const heartbeats: number[] = [];
  return {
    resolved,
    heartbeats,
    batch: {
      topic,
      partition,
      highWatermark: String(offsets[offsets.length - 1] + 1),
      messages: offsets.map((offset) => ({
        offset: String(offset),
        key: Buffer.from(`k${offset}`),
        value: Buffer.from(`v${offset}`),
        headers: {},
        timestamp: '0',
        attributes: 0,
      })),
    },
    resolveOffset: (offset: string) => resolved.push(offset),
    heartbeat: async () => {
      heartbeats.push(Date.now());
    },
    pause: () => () => undefined,
    isRunning: () => true,
    isStale: () => consumer.stale.has(`${topic}|${partition}`),
    commitOffsetsIfNecessary: async () => undefined,
  };
}

/** A handler that hands each batch over and lets the test decide when each is appended and durable. */
function handingOver() {
  const batches: { batch: InboundBatch; appended: Deferred; durable: Deferred }[] = [];
  const handler: BatchHandler = async (batch) => {
    const appended = deferred();
    const durable = deferred();
    batches.push({ batch, appended, durable });
    return { handled: batch.messages.length, durable: durable.promise, appended: appended.promise } satisfies BatchOutcome;
  };
  return { handler, batches };
}

async function started(handler: BatchHandler, maxInFlight = 2, commit = true) {
  const fake = new FakeConsumer();
  const consumer = new BatchConsumer(fake as never, [TOPIC], true, commit, maxInFlight);
  await consumer.start(handler, 2);
  return { fake, consumer };
}

describe('BatchConsumer', () => {
  it('given a handler that hands a batch over, when its work is not durable yet, then kafkajs gets the batch back (offset resolved) and nothing is committed', async () => {
    const { handler, batches } = handingOver();
    const { fake } = await started(handler);
    const first = payload(fake, 0, [0, 1, 2]);
    await fake.eachBatch(first);
    expect(first.resolved).toEqual(['2']); // the next fetch goes on after it
    await settle();
    expect(fake.commits).toEqual([]);
    batches[0].appended.resolve();
    batches[0].durable.resolve();
    await settle();
    expect(fake.commits).toEqual([[{ topic: TOPIC, partition: 0, offset: '3' }]]);
  });

  it("given a partition's later batch durable first, when committing, then it waits for the earlier one: offsets are committed in partition order", async () => {
    const { handler, batches } = handingOver();
    const { fake } = await started(handler);
    await fake.eachBatch(payload(fake, 0, [0, 1]));
    await fake.eachBatch(payload(fake, 0, [2, 3]));
    batches[1].appended.resolve();
    batches[1].durable.resolve();
    await settle();
    expect(fake.commits).toEqual([]);
    batches[0].appended.resolve();
    batches[0].durable.resolve();
    await settle();
    expect(fake.committed(TOPIC, 0)).toBe('4');
    const offsets = fake.commits.flat().map((entry) => Number(entry.offset));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it('given batches of two partitions, when one is durable, then only its partition is committed', async () => {
    const { handler, batches } = handingOver();
    const { fake } = await started(handler);
    await fake.eachBatch(payload(fake, 0, [0, 1]));
    await fake.eachBatch(payload(fake, 1, [0, 1, 2]));
    batches[1].appended.resolve();
    batches[1].durable.resolve();
    await settle();
    expect(fake.commits.flat()).toEqual([{ topic: TOPIC, partition: 1, offset: '3' }]);
  });

  it('given a batch that fails, then nothing of its partition from it on is committed, the partition is sought back to its first offset and the next batch throws its error', async () => {
    const { handler, batches } = handingOver();
    const { fake } = await started(handler, 3);
    await fake.eachBatch(payload(fake, 0, [0, 1]));
    await fake.eachBatch(payload(fake, 0, [2, 3]));
    await fake.eachBatch(payload(fake, 0, [4, 5]));
    batches[0].appended.resolve();
    batches[0].durable.resolve();
    batches[2].appended.resolve();
    batches[2].durable.resolve(); // durable, but after the failed one: not committed
    batches[1].appended.resolve();
    batches[1].durable.reject(new Error('store down'));
    await settle();
    expect(fake.committed(TOPIC, 0)).toBe('2');
    expect(fake.seeks).toEqual([{ topic: TOPIC, partition: 0, offset: '2' }]);
    await expect(fake.eachBatch(payload(fake, 1, [0]))).rejects.toThrow('store down'); // kafkajs retries as for a handler that threw
    // once sought back, the partition's batches are consumed again from there and committed
    fake.stale.clear();
    await fake.eachBatch(payload(fake, 0, [2, 3, 4, 5]));
    batches[3].appended.resolve();
    batches[3].durable.resolve();
    await settle();
    expect(fake.committed(TOPIC, 0)).toBe('6');
  });

  it('given a batch that fails and a seek kafkajs does not take (reconnecting to a broker that died), when a later batch of the partition still comes, then it is not handed over and nothing past the failed batch is committed until it comes again', async () => {
    const { handler, batches } = handingOver();
    const { fake } = await started(handler, 3);
    await fake.eachBatch(payload(fake, 0, [0, 1]));
    batches[0].appended.resolve();
    batches[0].durable.reject(new Error('could not publish to capflow.events.v1.dlq'));
    await settle();
    expect(fake.seeks).toEqual([{ topic: TOPIC, partition: 0, offset: '0' }]);
    fake.stale.clear(); // the seek was lost: kafkajs goes on from where it was
    await expect(fake.eachBatch(payload(fake, 1, [0]))).rejects.toThrow('could not publish'); // raised once, as before
    const later = payload(fake, 0, [2, 3]);
    await fake.eachBatch(later);
    expect(batches).toHaveLength(1); // not handed over
    expect(later.resolved).toEqual([]);
    expect(fake.seeks).toEqual([
      { topic: TOPIC, partition: 0, offset: '0' },
      { topic: TOPIC, partition: 0, offset: '0' }, // asked again
    ]);
    fake.stale.clear();
    // consumed again from the failed batch: handed over, and committed as usual
    await fake.eachBatch(payload(fake, 0, [0, 1, 2, 3]));
    batches[1].appended.resolve();
    batches[1].durable.resolve();
    await settle();
    expect(fake.committed(TOPIC, 0)).toBe('4');
  });

  it('given a batch that failed, when the group rebalances, then the partition goes on from wherever it is delivered (another member may have gone past it)', async () => {
    const { handler, batches } = handingOver();
    const { fake } = await started(handler, 3);
    await fake.eachBatch(payload(fake, 0, [0, 1]));
    batches[0].appended.resolve();
    batches[0].durable.reject(new Error('store down'));
    await settle();
    fake.stale.clear();
    await expect(fake.eachBatch(payload(fake, 1, [0]))).rejects.toThrow('store down');
    fake.listeners.get(fake.events.GROUP_JOIN)!();
    await fake.eachBatch(payload(fake, 0, [6, 7]));
    expect(batches.map((b) => b.batch.messages[0].offset)).toEqual(['0', '6']);
  });

  it('given the partition sought back while a later batch was being handed over, then that batch is neither resolved nor committed', async () => {
    const gate = deferred();
    const failing = deferred();
    let calls = 0;
    const handler: BatchHandler = async (batch) => {
      calls += 1;
      if (calls === 1) return { handled: batch.messages.length, durable: failing.promise };
      await gate.promise; // handing over takes a while: the first batch fails meanwhile
      return { handled: batch.messages.length };
    };
    const { fake } = await started(handler);
    await fake.eachBatch(payload(fake, 0, [0, 1]));
    const second = payload(fake, 0, [2, 3]);
    const handing = fake.eachBatch(second);
    failing.reject(new Error('store down'));
    await settle();
    gate.resolve();
    await handing;
    await settle();
    expect(second.resolved).toEqual([]);
    expect(fake.commits).toEqual([]);
    expect(fake.seeks).toEqual([{ topic: TOPIC, partition: 0, offset: '0' }]);
  });

  it('given maxInFlight batches being worked on, when another one comes, then it waits until one of them is appended', async () => {
    const { handler, batches } = handingOver();
    const { fake } = await started(handler, 1);
    await fake.eachBatch(payload(fake, 0, [0]));
    let taken = false;
    const next = fake.eachBatch(payload(fake, 1, [0])).then(() => (taken = true));
    await settle();
    expect(taken).toBe(false);
    expect(batches).toHaveLength(1);
    batches[0].appended.resolve(); // appended: its records held for later do not hold the next batch back
    await next;
    expect(batches).toHaveLength(2);
    expect(fake.commits).toEqual([]); // the first one is not durable yet
  });

  it('given a long wait for room, then the member heartbeats meanwhile', async () => {
    const { handler, batches } = handingOver();
    const { fake } = await started(handler, 1);
    await fake.eachBatch(payload(fake, 0, [0]));
    const waiting = payload(fake, 1, [0]);
    const next = fake.eachBatch(waiting);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(waiting.heartbeats.length).toBeGreaterThanOrEqual(1);
    batches[0].appended.resolve();
    await next;
  });

  it('given a commit that fails, then it is not thrown to kafkajs and is made again later', async () => {
    const { handler, batches } = handingOver();
    const { fake } = await started(handler);
    fake.commitFailures = 1;
    await fake.eachBatch(payload(fake, 0, [0, 1]));
    batches[0].appended.resolve();
    batches[0].durable.resolve();
    await settle();
    expect(fake.commits).toEqual([]);
    await fake.eachBatch(payload(fake, 1, [7])); // nothing thrown
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(fake.committed(TOPIC, 0)).toBe('2');
  });

  it('given a handler that resolves when done (no durable), then its batch is committed as before', async () => {
    const { fake } = await started(async (batch) => ({ handled: batch.messages.length }));
    const first = payload(fake, 3, [10, 11]);
    await fake.eachBatch(first);
    await settle();
    expect(first.resolved).toEqual(['11']);
    expect(fake.commits).toEqual([[{ topic: TOPIC, partition: 3, offset: '12' }]]);
  });

  it('given a reader that does not commit, then offsets only advance in memory', async () => {
    const { fake } = await started(async (batch) => ({ handled: batch.messages.length }), 2, false);
    const first = payload(fake, 0, [0, 1]);
    await fake.eachBatch(first);
    await settle();
    expect(first.resolved).toEqual(['1']);
    expect(fake.commits).toEqual([]);
  });

  it('given a batch delivered again (after a rebalance) behind a committed offset, then the committed offset is not moved back', async () => {
    const { fake } = await started(async (batch) => ({ handled: batch.messages.length }));
    await fake.eachBatch(payload(fake, 0, [0, 1, 2, 3]));
    await settle();
    await fake.eachBatch(payload(fake, 0, [0, 1]));
    await settle();
    expect(fake.commits.flat().map((entry) => entry.offset)).toEqual(['4']);
  });

  it('given batches handed over, when stopped, then they finish and are committed before the member leaves the group, and nothing more is taken', async () => {
    const { handler, batches } = handingOver();
    const { fake, consumer } = await started(handler);
    await fake.eachBatch(payload(fake, 0, [0, 1]));
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await settle();
    expect(fake.paused).toHaveLength(1);
    expect(stopped).toBe(false);
    const late = payload(fake, 1, [0]);
    await fake.eachBatch(late); // fetched before the pause: not taken
    expect(late.resolved).toEqual([]);
    expect(batches).toHaveLength(1);
    batches[0].appended.resolve();
    batches[0].durable.resolve();
    await stopping;
    expect(fake.committed(TOPIC, 0)).toBe('2');
    expect(fake.commitsAtDisconnect).toBe(1);
  });

  it('given a handler that leaves records for later, then its partition pauses and the handled part is resolved', async () => {
    const { fake } = await started(async () => ({ handled: 1, retryAfterMs: 10 }));
    const first = payload(fake, 0, [5, 6, 7], `${TOPIC}.retry`);
    await fake.eachBatch(first);
    await settle();
    expect(first.resolved).toEqual(['5']);
    expect(fake.committed(`${TOPIC}.retry`, 0)).toBe('6');
  });
});

import { createHash } from 'node:crypto';
import { Admin, AssignerProtocol, Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, logLevel, LogEntry, Partitioners, Producer } from 'kafkajs';
import { Header } from './dead-letter';
import { KafkaError, KafkaErrorCode } from './kafka.errors';
import { BatchHandler, InboundBatch, InboundMessage, OutboundRecord } from './kafka-message';
import { DEFAULT_FETCH_BYTES, KafkaSettings } from './kafka-settings';

/** A Kafka client's log line, handed to the process's own logger. */
export type KafkaLog = (level: 'error' | 'warn' | 'info' | 'debug', message: string, fields: Record<string, unknown>) => void;

/** Topic-level limit on a record batch: larger than capflow's 64 KiB per event, so oversized facts reach the DLQ. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
/** Records per producer request (see RecordPublisher.send). */
const SEND_SLICE = 500;
const MIN_FETCH_BYTES_PER_PARTITION = 1024 * 1024;

/**
 * A batch's size on a topic of `partitions` partitions: about `fetchBytes` (8 MiB unless
 * configured) in all, spread over them, and 1 MiB at least unless less was asked for. With
 * one partition, batches of 8 MiB. With several, each fetch brings a batch of each partition, all of
 * the same stretch of the producers' time, so the facts a batch refers to on other partitions come
 * in the same round (an unknown_reference held in memory heals there); batches of 8 MiB each would
 * each cover a partition's next 28,000 facts, and a fact would wait for five other batches of
 * facts that came long after it before what it refers to is stored.
 */
export function fetchBytesPerPartition(partitions: number, fetchBytes = DEFAULT_FETCH_BYTES): number {
  return Math.max(Math.min(MIN_FETCH_BYTES_PER_PARTITION, fetchBytes), Math.floor(fetchBytes / Math.max(1, partitions)));
}

/**
 * The only file that speaks to the Kafka client library (kafkajs): everything else uses capflow's
 * own record shapes, so the client can be replaced here alone.
 */
export class KafkaClient {
  private readonly kafka: Kafka;
  private adminClient: Admin | null = null;

  constructor(
    readonly settings: KafkaSettings,
    log: KafkaLog = () => undefined,
  ) {
    this.kafka = new Kafka({
      clientId: settings.clientId,
      brokers: settings.brokers,
      connectionTimeout: 3000,
      requestTimeout: 30_000,
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const { message, timestamp: _timestamp, ...fields } = entry.log;
        const level =
          entry.level === logLevel.ERROR
            ? 'error'
            : entry.level === logLevel.WARN
              ? 'warn'
              : entry.level === logLevel.INFO
                ? 'info'
                : 'debug';
        log(level, `kafka: ${message}`, fields);
      },
    });
  }

  async admin(): Promise<Admin> {
    if (!this.adminClient) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.adminClient = admin;
    }
    return this.adminClient;
  }

  /** Creates capflow's three topics where they are missing. */
  async ensureTopics(replicationFactor = 1): Promise<void> {
    const admin = await this.admin();
    const existing = new Set(await admin.listTopics());
    const { topic, retryTopic, deadLetterTopic, partitions } = this.settings;
    const missing = [topic, retryTopic, deadLetterTopic].filter((name) => !existing.has(name));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((name) => ({
        topic: name,
        numPartitions: name === topic ? partitions : Math.max(1, Math.min(partitions, 3)),
        replicationFactor,
        configEntries: [{ name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) }],
      })),
    });
  }

  /** How many partitions a topic has. */
  async partitionCount(topic: string): Promise<number> {
    const { topics } = await (await this.admin()).fetchTopicMetadata({ topics: [topic] });
    return topics[0]?.partitions.length ?? 0;
  }

  /** The brokers the cluster reports; throws kafka_unavailable when it does not answer in time. */
  async describeCluster(timeoutMs = 3000): Promise<{ brokers: string[]; clusterId: string }> {
    const answer = await withTimeout((async () => (await this.admin()).describeCluster())(), timeoutMs, 'the Kafka cluster did not answer');
    return { brokers: answer.brokers.map((broker) => `${broker.host}:${broker.port}`), clusterId: answer.clusterId };
  }

  /** Per partition: the group's committed offset, the high watermark and the lag between them. */
  async groupLag(
    groupId: string,
    topics: string[],
  ): Promise<{ topic: string; partition: number; committed: string; end: string; lag: number }[]> {
    const admin = await this.admin();
    const rows: { topic: string; partition: number; committed: string; end: string; lag: number }[] = [];
    const committed = await admin.fetchOffsets({ groupId, topics });
    for (const { topic, partitions } of committed) {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((entry) => [entry.partition, entry]));
      for (const { partition, offset } of partitions) {
        const end = ends.get(partition);
        if (!end) continue;
        const from = BigInt(offset) < 0n ? BigInt(end.low) : BigInt(offset);
        rows.push({ topic, partition, committed: offset, end: end.high, lag: Number(BigInt(end.high) - from) });
      }
    }
    return rows;
  }

  /** The group's state and, per member, the partitions assigned to it (empty while it rebalances). */
  async groupMembers(groupId: string): Promise<{ state: string; members: { memberId: string; partitions: { topic: string; partition: number }[] }[] }> {
    const admin = await this.admin();
    const [group] = (await admin.describeGroups([groupId])).groups;
    return {
      state: group.state,
      members: group.members.map((member) => {
        const assignment = member.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(member.memberAssignment) : null;
        const partitions = Object.entries(assignment?.assignment ?? {}).flatMap(([topic, numbers]) => numbers.map((partition) => ({ topic, partition })));
        return { memberId: member.memberId, partitions };
      }),
    };
  }

  async publisher(): Promise<RecordPublisher> {
    // murmur2 on the key, as the Java client: the same key lands on the same partition from either
    // Idempotent (acks all, one request in flight): a send the client retries after a timeout is not
    // written twice, so a producer's duplicate never reaches the topic (and its dead letters) under load
    const producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    return new RecordPublisher(producer);
  }

  /** A member of a consumer group that hands whole batches to a handler (see BatchConsumer). */
  batchConsumer(options: {
    groupId?: string;
    topics: string[];
    fromBeginning?: boolean;
    maxWaitTimeInMs?: number;
    commit?: boolean;
    /** Batches worked on at once (handlers that return `durable`, see BatchConsumer); default 2. */
    maxInFlight?: number;
    /** Bytes fetched at most per partition: a batch's size. Default 8 MiB (see fetchBytesPerPartition). */
    maxBytesPerPartition?: number;
  }): BatchConsumer {
    const consumer = this.kafka.consumer({
      groupId: options.groupId ?? this.settings.groupId,
      sessionTimeout: this.settings.sessionTimeoutMs,
      heartbeatInterval: Math.max(200, Math.floor(this.settings.sessionTimeoutMs / 5)),
      // Large fetches make large batches: one store transaction per batch is what keeps ingestion fast.
      maxBytesPerPartition: options.maxBytesPerPartition ?? DEFAULT_FETCH_BYTES,
      maxBytes: 32 * 1024 * 1024,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 500,
      allowAutoTopicCreation: false,
    });
    return new BatchConsumer(consumer, options.topics, options.fromBeginning ?? true, options.commit ?? true, options.maxInFlight ?? 2);
  }

  /**
   * Every record a topic holds now, oldest first per partition: read by a throw-away group member
   * that commits nothing, up to the high watermarks taken at the start.
   */
  async readTopic(topic: string, timeoutMs = 60_000): Promise<InboundMessage[]> {
    const admin = await this.admin();
    const offsets = await admin.fetchTopicOffsets(topic);
    const ends = new Map(offsets.map((entry) => [entry.partition, BigInt(entry.high)]));
    const remaining = new Set(offsets.filter((entry) => BigInt(entry.low) < BigInt(entry.high)).map((entry) => entry.partition));
    const records: InboundMessage[] = [];
    if (remaining.size === 0) return records;
    const groupId = `capflow-reader-${process.pid}-${Date.now()}`;
    const reader = this.batchConsumer({ groupId, topics: [topic], fromBeginning: true, maxWaitTimeInMs: 100, commit: false });
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    try {
      await reader.start(async (batch) => {
        const end = ends.get(batch.partition) ?? 0n;
        for (const message of batch.messages) if (BigInt(message.offset) < end) records.push(message);
        if (BigInt(batch.messages[batch.messages.length - 1].offset) + 1n >= end) remaining.delete(batch.partition);
        if (remaining.size === 0) done();
        return { handled: batch.messages.length };
      }, 1);
      await withTimeout(finished, timeoutMs, `reading ${topic} did not finish`);
    } finally {
      await reader.stop();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  }

  async close(): Promise<void> {
    const admin = this.adminClient;
    this.adminClient = null;
    if (admin) await disconnected(admin.disconnect());
  }
}

/** Publishes records and returns once every one is acknowledged by all in-sync replicas (acks -1). */
export class RecordPublisher {
  constructor(private readonly producer: Producer) {}

  async send(topic: string, records: readonly OutboundRecord[]): Promise<void> {
    // In slices, in order: kafkajs groups a send's messages per partition by copying the group's
    // array for each message, so one send of n records to a partition costs O(n²): 20,000 retry
    // records took seconds of blocked event loop (heartbeats missed), 500 take a millisecond.
    for (let start = 0; start < records.length; start += SEND_SLICE) await this.sendSlice(topic, records.slice(start, start + SEND_SLICE));
  }

  private async sendSlice(topic: string, records: readonly OutboundRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      await this.producer.send({ topic, acks: -1, messages: records.map(toKafkaMessage) });
    } catch (error) {
      if (!TOO_LARGE.has((error as { type?: string }).type ?? '')) throw publishFailed(topic, error);
      // One record is too large for the topic: send them one by one, the oversized ones without their value.
      for (const record of records) {
        try {
          await this.producer.send({ topic, acks: -1, messages: [toKafkaMessage(record)] });
        } catch (single) {
          if (!TOO_LARGE.has((single as { type?: string }).type ?? '')) throw publishFailed(topic, single);
          await this.producer.send({ topic, acks: -1, messages: [toKafkaMessage(withoutValue(record))] });
        }
      }
    }
  }

  async close(): Promise<void> {
    await disconnected(this.producer.disconnect());
  }
}

function withoutValue(record: OutboundRecord): OutboundRecord {
  const value = record.value === null ? Buffer.alloc(0) : Buffer.from(record.value);
  const headers = new Map(record.headers ?? []);
  headers.set(Header.ValueOmitted, `${value.length} bytes, sha256 ${createHash('sha256').update(value).digest('hex')}`);
  return { key: record.key, value: null, headers };
}

function publishFailed(topic: string, error: unknown): KafkaError {
  return new KafkaError(KafkaErrorCode.PublishFailed, `could not publish to ${topic}: ${(error as Error)?.message ?? error}`);
}

function toKafkaMessage(record: OutboundRecord) {
  const headers: IHeaders = {};
  for (const [name, value] of record.headers ?? []) headers[name] = value;
  return { key: record.key, value: record.value, headers, ...(record.partition === undefined ? {} : { partition: record.partition }) };
}

/** A partition's batches handed over, in offset order, and whether one of them failed. */
interface PartitionFlow {
  /** Resolves once every batch handed over so far is durable; rejects once one of them failed. */
  tail: Promise<void>;
  /** Set at its first failure: the partition was sought back to that batch, later ones are abandoned. */
  failed: boolean;
}

const HEARTBEAT_WHILE_WAITING_MS = 1000;
const COMMIT_RETRY_MS = 1000;

/**
 * A consumer-group member that gives each fetched partition batch to one handler, and commits the
 * offset after the last message the handler reports done — never before that work is durable.
 *
 * A handler may return as soon as it has handed a batch over (its outcome then carries a `durable`
 * promise): kafkajs fetches the next batch meanwhile, so fetching, decoding and parsing overlap the
 * append under way. At most `maxInFlight` batches are worked on at once (then the next batch waits,
 * heartbeating). A partition's offset is committed only once its batch and every earlier
 * batch of the partition are durable, so commits follow partition order; a commit that fails is
 * retried (a later one covers it). If a batch fails, nothing of its partition from it on is
 * committed, the partition is sought back to its first message (and consumed again from there),
 * and the error is thrown from the next batch, so kafkajs retries as for a handler that threw.
 *
 * What the handler leaves for later (a retry not yet due) is fetched again when due: the partition
 * pauses meanwhile, and the others keep flowing.
 */
export class BatchConsumer {
  private readonly timers = new Set<NodeJS.Timeout>();
  private crashed: ((error: Error) => void) | null = null;
  private readonly flows = new Map<string, PartitionFlow>();
  /** One per batch handed over whose durability (and commit request) is not settled yet; never rejects. */
  private readonly inFlight = new Set<Promise<void>>();
  /** One per batch handed over whose handler has not finished its own work on it (see BatchOutcome.appended). */
  private readonly working = new Set<Promise<unknown>>();
  /** Batches inside the handler right now (not yet in inFlight). */
  private handingOver = 0;
  /** Per partition, the offset to commit next: every record before it is durable. */
  private readonly toCommit = new Map<string, { topic: string; partition: number; offset: string }>();
  private readonly committed = new Map<string, bigint>();
  private committing: Promise<void> | null = null;
  private commitRetry: NodeJS.Timeout | null = null;
  /** A failure of work finished after its batch went back to kafkajs: thrown from the next batch. */
  private pendingFailure: Error | null = null;
  /**
   * Per partition whose batch failed, the offset it must be consumed again from. A later batch of
   * it that still comes (kafkajs had not taken the seek: it was reconnecting to a broker that had
   * died) is not handed over, so no offset past the failed batch is ever committed over it.
   */
  private readonly redeliverFrom = new Map<string, { topic: string; partition: number; offset: bigint }>();
  private stopping = false;

  constructor(
    private readonly consumer: Consumer,
    private readonly topics: string[],
    private readonly fromBeginning: boolean,
    /** false for readers that only look: offsets advance in memory and are never committed. */
    private readonly commit: boolean,
    private readonly maxInFlight = 2,
  ) {}

  /** Joins the group and consumes until stop(); `partitionsConsumedConcurrently` batches at once. */
  async start(handler: BatchHandler, partitionsConsumedConcurrently = 2): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: this.fromBeginning });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.crashed?.(payload.error);
    });
    // after a rebalance every partition starts from its committed offset, which is not past a
    // failed batch of ours; another member may have gone past it since, rightly
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.redeliverFrom.clear());
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently,
      eachBatch: (payload) => this.handle(payload, handler),
    });
  }

  /** Resolves if the consumer stops for good on an error it will not restart after. */
  failure(): Promise<Error> {
    return new Promise((resolve) => (this.crashed = resolve));
  }

  private async handle(payload: EachBatchPayload, handler: BatchHandler): Promise<void> {
    const { batch } = payload;
    const skip = () => this.stopping || !payload.isRunning() || payload.isStale();
    if (skip() || batch.messages.length === 0) return;
    this.raiseFailure();
    await this.room(payload);
    this.raiseFailure();
    if (skip()) return;
    const key = `${batch.topic}|${batch.partition}`;
    if (this.awaitingRedelivery(key, BigInt(batch.messages[0].offset))) return;
    let flow = this.flows.get(key);
    if (!flow) this.flows.set(key, (flow = { tail: Promise.resolve(), failed: false }));
    const inbound: InboundBatch = {
      topic: batch.topic,
      partition: batch.partition,
      highWatermark: batch.highWatermark,
      messages: batch.messages.map((message) => inboundOf(batch.topic, batch.partition, message)),
    };
    this.handingOver += 1;
    try {
      const outcome = await handler(inbound, { heartbeat: payload.heartbeat, isRunning: payload.isRunning });
      const durable = observed(outcome.durable ?? Promise.resolve());
      this.workOn(outcome.appended ?? durable);
      if (flow.failed || payload.isStale()) return; // an earlier batch of it failed meanwhile: consumed again from there
      if (outcome.handled > 0) {
        const last = inbound.messages[outcome.handled - 1].offset;
        payload.resolveOffset(last); // the next fetch goes on after it; the commit waits for durability
        this.track(flow, batch.topic, batch.partition, inbound.messages[0].offset, (BigInt(last) + 1n).toString(), durable);
      }
      // The rest is fetched again from the first unhandled offset (the resolved one) once resumed.
      if (outcome.handled < inbound.messages.length) this.resumeLater(payload.pause(), outcome.retryAfterMs ?? 0);
    } finally {
      this.handingOver -= 1;
    }
  }

  // The closures that outlive a batch's hand-over are made in the methods below, out of handle's
  // scope: one made there would keep the fetched batch (its records and buffers) alive with it.

  /** A batch being worked on until `appended` settles (see room). */
  private workOn(appended: Promise<void>): void {
    const working = appended.then(
      () => undefined,
      () => undefined,
    );
    this.working.add(working);
    void working.then(() => this.working.delete(working));
  }

  private resumeLater(resume: () => void, ms: number): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        resume();
      },
      Math.max(0, ms),
    );
    this.timers.add(timer);
  }

  /**
   * Commits `next` once this batch and the partition's earlier ones are durable; gives the partition
   * up from `first` if one of them fails. (Out of handle's scope: a closure made there would keep
   * the fetched batch alive until then.)
   */
  private track(flow: PartitionFlow, topic: string, partition: number, first: string, next: string, durable: Promise<void>): void {
    const done = flow.tail.then(() => durable);
    flow.tail = done;
    const tracked = done.then(
      () => this.committable(topic, partition, next),
      (error: unknown) => this.abandon(`${topic}|${partition}`, flow, topic, partition, first, error),
    );
    this.inFlight.add(tracked);
    void tracked.then(() => this.inFlight.delete(tracked));
  }

  /** Waits while maxInFlight batches are being worked on, heartbeating so a long append keeps the membership. */
  private async room(payload: EachBatchPayload): Promise<void> {
    while (this.working.size >= this.maxInFlight && !this.stopping) {
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<'tick'>((resolve) => (timer = setTimeout(() => resolve('tick'), HEARTBEAT_WHILE_WAITING_MS)));
      const woke = await Promise.race([...this.working, tick]);
      clearTimeout(timer);
      if (woke === 'tick') await payload.heartbeat();
      // A batch was appended: the next one's transaction starts in this turn of the loop; this
      // batch is handed over (parsed) in the next, while the database works on that transaction.
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Every record of the partition before `offset` is durable: commit it with the next commit. */
  private committable(topic: string, partition: number, offset: string): void {
    if (!this.commit) return;
    const key = `${topic}|${partition}`;
    // a batch delivered again (after a rebalance) must not move the committed offset back
    if ((this.committed.get(key) ?? -1n) >= BigInt(offset)) return;
    this.toCommit.set(key, { topic, partition, offset });
    void this.flushCommits();
  }

  /** Commits what is committable, in one request for every partition; one commit at a time. */
  private flushCommits(): Promise<void> {
    if (this.committing) return this.committing; // its loop takes what was just added
    if (this.toCommit.size === 0) return Promise.resolve();
    const run = async () => {
      while (this.toCommit.size > 0) {
        const offsets = [...this.toCommit.values()];
        this.toCommit.clear();
        try {
          await this.consumer.commitOffsets(offsets);
          for (const { topic, partition, offset } of offsets) {
            const key = `${topic}|${partition}`;
            if ((this.committed.get(key) ?? -1n) < BigInt(offset)) this.committed.set(key, BigInt(offset));
          }
        } catch {
          // Again later, unless a later offset of the same partition (which covers it) came
          // meanwhile. Not raised: the records are durable, a commit only saves deliveries again;
          // a rebalance or a lost membership that made it fail is kafkajs's to notice (heartbeats).
          for (const entry of offsets) {
            const key = `${entry.topic}|${entry.partition}`;
            if (!this.toCommit.has(key)) this.toCommit.set(key, entry);
          }
          if (!this.stopping && !this.commitRetry) {
            this.commitRetry = setTimeout(() => {
              this.commitRetry = null;
              void this.flushCommits();
            }, COMMIT_RETRY_MS);
          }
          return;
        }
      }
    };
    const committing = run().finally(() => {
      if (this.committing === committing) this.committing = null;
    });
    this.committing = committing;
    return committing;
  }

  /** A batch failed: nothing of its partition from it on is committed; the partition is read again from it. */
  private abandon(key: string, flow: PartitionFlow, topic: string, partition: number, firstOffset: string, error: unknown): void {
    if (flow.failed) return; // an earlier batch of the partition failed first: sought back to that one
    flow.failed = true;
    if (this.flows.get(key) === flow) this.flows.delete(key);
    const from = BigInt(firstOffset);
    if ((this.redeliverFrom.get(key)?.offset ?? from) >= from) this.redeliverFrom.set(key, { topic, partition, offset: from });
    this.seekBack(key);
    this.fail(error);
  }

  /** Whether a batch starting at `first` comes before its partition was consumed again from its failed batch: then it is dropped and the seek made again. */
  private awaitingRedelivery(key: string, first: bigint): boolean {
    const from = this.redeliverFrom.get(key);
    if (from === undefined) return false;
    if (first <= from.offset) {
      this.redeliverFrom.delete(key);
      return false;
    }
    this.seekBack(key);
    return true;
  }

  private seekBack(key: string): void {
    const from = this.redeliverFrom.get(key);
    if (!from) return;
    try {
      this.consumer.seek({ topic: from.topic, partition: from.partition, offset: from.offset.toString() });
    } catch {
      // not running any more: consumption restarts from the committed offset, which is not past it
    }
  }

  private fail(error: unknown): void {
    this.pendingFailure ??= error instanceof Error ? error : new Error(String(error));
  }

  private raiseFailure(): void {
    const failure = this.pendingFailure;
    this.pendingFailure = null;
    if (failure) throw failure;
  }

  /** Lets the batches handed over finish and commit, then leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    try {
      this.consumer.pause(this.topics.map((topic) => ({ topic }))); // nothing more is fetched for handing over
    } catch {
      // not running: nothing to pause
    }
    while (this.inFlight.size > 0 || this.handingOver > 0) {
      await Promise.race([...this.inFlight, new Promise((resolve) => setTimeout(resolve, 50))]);
    }
    if (this.commitRetry) clearTimeout(this.commitRetry);
    this.commitRetry = null;
    await this.flushCommits();
    await this.consumer.disconnect();
  }
}

/** The promise, its rejection observed (it is acted on in partition order, see track). */
function observed(durable: Promise<void>): Promise<void> {
  durable.catch(() => undefined);
  return durable;
}

function inboundOf(topic: string, partition: number, message: KafkaMessage): InboundMessage {
  const headers = new Map<string, Buffer>();
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) headers.set(name, Buffer.isBuffer(last) ? last : Buffer.from(String(last)));
  }
  return { topic, partition, offset: message.offset, key: message.key, value: message.value, headers, timestamp: message.timestamp };
}

async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new KafkaError(KafkaErrorCode.BrokerUnavailable, `${message} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A disconnect that may wait on a broker that went away (seen after a broker restart): bounded. */
async function disconnected(work: Promise<void>, ms = 5000): Promise<void> {
  await withTimeout(work, ms, 'disconnecting').catch(() => undefined);
}

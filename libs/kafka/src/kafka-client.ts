import { createHash } from 'node:crypto';
import { Admin, Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, logLevel, LogEntry, Partitioners, Producer } from 'kafkajs';
import { Header } from './dead-letter';
import { KafkaError, KafkaErrorCode } from './kafka.errors';
import { BatchHandler, InboundBatch, InboundMessage, OutboundRecord } from './kafka-message';
import { KafkaSettings } from './kafka-settings';

/** A Kafka client's log line, handed to the process's own logger. */
export type KafkaLog = (level: 'error' | 'warn' | 'info' | 'debug', message: string, fields: Record<string, unknown>) => void;

/** Topic-level limit on a record batch: larger than capflow's 64 KiB per event, so oversized facts reach the DLQ. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

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
  }): BatchConsumer {
    const consumer = this.kafka.consumer({
      groupId: options.groupId ?? this.settings.groupId,
      sessionTimeout: this.settings.sessionTimeoutMs,
      heartbeatInterval: Math.max(1000, Math.floor(this.settings.sessionTimeoutMs / 5)),
      // Large fetches make large batches: one store transaction per batch is what keeps ingestion fast.
      maxBytesPerPartition: 8 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 500,
      allowAutoTopicCreation: false,
    });
    return new BatchConsumer(consumer, options.topics, options.fromBeginning ?? true, options.commit ?? true);
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

/**
 * A consumer-group member that gives each fetched partition batch to one handler, and commits the
 * offset after the last message the handler reports done — never before its promise resolves.
 * What the handler leaves for later (a retry not yet due) is fetched again when due: the partition
 * pauses meanwhile, and the others keep flowing.
 */
export class BatchConsumer {
  private readonly timers = new Set<NodeJS.Timeout>();
  private crashed: ((error: Error) => void) | null = null;

  constructor(
    private readonly consumer: Consumer,
    private readonly topics: string[],
    private readonly fromBeginning: boolean,
    /** false for readers that only look: offsets advance in memory and are never committed. */
    private readonly commit: boolean,
  ) {}

  /** Joins the group and consumes until stop(); `partitionsConsumedConcurrently` batches at once. */
  async start(handler: BatchHandler, partitionsConsumedConcurrently = 2): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: this.fromBeginning });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.crashed?.(payload.error);
    });
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
    if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    const inbound: InboundBatch = {
      topic: batch.topic,
      partition: batch.partition,
      highWatermark: batch.highWatermark,
      messages: batch.messages.map((message) => inboundOf(batch.topic, batch.partition, message)),
    };
    const outcome = await handler(inbound, { heartbeat: payload.heartbeat, isRunning: payload.isRunning });
    if (outcome.handled > 0) {
      const last = inbound.messages[outcome.handled - 1].offset;
      payload.resolveOffset(last);
      if (this.commit) {
        const next = (BigInt(last) + 1n).toString();
        await payload.commitOffsetsIfNecessary({
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
        });
      }
    }
    if (outcome.handled < inbound.messages.length) {
      // Fetched again from the first unhandled offset (the resolved one) once resumed.
      const resume = payload.pause();
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          resume();
        },
        Math.max(0, outcome.retryAfterMs ?? 0),
      );
      this.timers.add(timer);
    }
  }

  /** Lets the batch under way finish and commit, then leaves the group. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.consumer.disconnect();
  }
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

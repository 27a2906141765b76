/** A record as consumed: capflow's own shape, so no caller depends on the Kafka client's types. */
export interface InboundMessage {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit: kept as decimal strings. */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Header values as bytes; a header that repeats keeps its last value. */
  headers: Map<string, Buffer>;
  /** Broker or producer time, epoch milliseconds as a string. */
  timestamp: string;
}

export interface InboundBatch {
  topic: string;
  partition: number;
  /** Offset of the next record the partition will hold: the lag is highWatermark - (last handled + 1). */
  highWatermark: string;
  messages: InboundMessage[];
}

/** A record to publish. */
export interface OutboundRecord {
  key: Buffer | string | null;
  /** Unset: the partition the key hashes to (murmur2, as the Java client). */
  partition?: number;
  value: Buffer | string | null;
  headers?: Map<string, Buffer | string>;
}

/** What a batch handler did: the first `handled` messages are done (their offsets may be committed). */
export interface BatchOutcome {
  handled: number;
  /** The rest is not due yet: fetch it again from the first unhandled offset after this many ms. */
  retryAfterMs?: number;
  /**
   * Set when the handler returns before its work is durable (it was handed over, to be appended in
   * turn): the first `handled` messages are done only once this resolves. Meanwhile the consumer
   * fetches on; it commits a partition's offset only after this batch and every earlier batch of
   * the partition are durable, in partition order. If it rejects, nothing of the partition from
   * this batch on is committed and the partition is consumed again from this batch's first message.
   */
  durable?: Promise<void>;
  /**
   * With `durable`: resolves once the handler's own work on the batch is done (its append), though
   * some of its records may still wait for later batches, so `durable` comes later. The consumer
   * counts the batches not yet at this point against its limit of batches in flight; default: `durable`.
   */
  appended?: Promise<void>;
}

export type BatchHandler = (batch: InboundBatch, control: BatchControl) => Promise<BatchOutcome>;

export interface BatchControl {
  heartbeat(): Promise<void>;
  isRunning(): boolean;
}

/** `topic/partition@offset`, the way records are named in logs and in the dead-letter tools. */
export const coordinatesOf = (message: Pick<InboundMessage, 'topic' | 'partition' | 'offset'>): string =>
  `${message.topic}/${message.partition}@${message.offset}`;

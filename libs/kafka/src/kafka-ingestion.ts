import { RejectionCode } from '@capflow/contracts';
import type { IngestionService, IngestItem, IngestOutcome } from '@capflow/ingestion';
import { deadLetterRecord, deliveryOf, notBeforeOf, retryRecord } from './dead-letter';
import { BatchOutcome, InboundBatch, InboundMessage, OutboundRecord } from './kafka-message';
import type { RecordPublisher } from './kafka-client';
import type { KafkaSettings } from './kafka-settings';

/** What a batch did, for metrics and logs. */
export interface IngestedBatch {
  topic: string;
  partition: number;
  size: number;
  seconds: number;
  /** Records behind the last one handled in this partition. */
  lag: number;
  outcomes: IngestOutcome[];
  retried: number;
  deadLettered: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * Kafka's side of the ingestion use case: a partition batch goes through IngestionService in one
 * store transaction, like a file import; then each rejected record is published to the retry topic
 * (`unknown_reference`, while attempts remain: the fact it refers to may be on its way on another
 * partition) or to the dead-letter topic (everything else). Only after both the append and those
 * publishes are durable does the handler return — and only then are the offsets committed.
 */
export class KafkaIngestion {
  constructor(
    private readonly ingestion: IngestionService,
    private readonly publisher: RecordPublisher,
    private readonly settings: KafkaSettings,
    private readonly now: () => Date = () => new Date(),
    private readonly observe: (batch: IngestedBatch) => void = () => undefined,
  ) {}

  async handle(batch: InboundBatch): Promise<BatchOutcome> {
    if (batch.messages.length === 0) return { handled: 0 };
    const started = process.hrtime.bigint();
    const now = this.now();
    // On the retry topic, records wait for their time; the first one not due ends this batch.
    let due = batch.messages.length;
    if (batch.topic === this.settings.retryTopic) {
      const waiting = batch.messages.findIndex((message) => notBeforeOf(message) > now.getTime());
      if (waiting >= 0) due = waiting;
    }
    const messages = batch.messages.slice(0, due);
    const outcomes = messages.length > 0 ? await this.ingestion.ingest(messages.map((message) => this.itemOf(message))) : [];

    const retries: OutboundRecord[] = [];
    const deadLetters: OutboundRecord[] = [];
    outcomes.forEach((outcome, index) => {
      if (outcome.status !== 'rejected') return;
      const message = messages[index];
      const delivery = deliveryOf(message, this.settings.retryTopic);
      const rejection = { reason: outcome.reason, detail: outcome.detail };
      if (outcome.reason === RejectionCode.UnknownReference && delivery.attempt < this.settings.maxAttempts) {
        retries.push(retryRecord(message, delivery, rejection, now, new Date(now.getTime() + this.backoff(delivery.attempt))));
      } else {
        deadLetters.push(deadLetterRecord(message, delivery, rejection, now));
      }
    });
    await Promise.all([
      this.publisher.send(this.settings.retryTopic, retries),
      this.publisher.send(this.settings.deadLetterTopic, deadLetters),
    ]);

    const lastHandled = due > 0 ? BigInt(messages[due - 1].offset) + 1n : BigInt(batch.messages[0].offset);
    this.observe({
      topic: batch.topic,
      partition: batch.partition,
      size: messages.length,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      lag: Math.max(0, Number(BigInt(batch.highWatermark) - lastHandled)),
      outcomes,
      retried: retries.length,
      deadLettered: deadLetters.length,
    });
    if (due === batch.messages.length) return { handled: due };
    return { handled: due, retryAfterMs: Math.max(0, notBeforeOf(batch.messages[due]) - this.now().getTime()) };
  }

  /** The wait before delivery number attempt + 1: backoff doubled per attempt, capped. */
  private backoff(attempt: number): number {
    return Math.min(this.settings.maxBackoffMs, this.settings.backoffMs * 2 ** Math.min(attempt - 1, 30));
  }

  /** The record's bytes, and where it came from: kept with the stored event for auditors. */
  private itemOf(message: InboundMessage): IngestItem {
    const delivery = deliveryOf(message, this.settings.retryTopic);
    const kafka: Record<string, unknown> = { topic: delivery.topic, partition: delivery.partition, offset: delivery.offset };
    if (message.topic !== delivery.topic) {
      kafka.delivered = { topic: message.topic, partition: message.partition, offset: message.offset, attempt: delivery.attempt };
    }
    return { input: message.value ?? EMPTY, metadata: { kafka } };
  }
}

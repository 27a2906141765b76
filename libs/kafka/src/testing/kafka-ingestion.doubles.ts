import type { OutboundRecord } from '../kafka-message';
import type { KafkaSettings } from '../kafka-settings';

/** What the KafkaIngestion specs share: the topics, a fixed clock, the settings and a publisher double. */
export const INPUT = 'capflow.events.v1';
export const RETRY = `${INPUT}.retry`;
export const DLQ = `${INPUT}.dlq`;
export const NOW = new Date('2025-03-01T12:00:00.000Z');

export const SETTINGS: KafkaSettings = {
  brokers: ['localhost:9092'],
  clientId: 'capflow',
  topic: INPUT,
  retryTopic: RETRY,
  deadLetterTopic: DLQ,
  groupId: 'capflow-ingest',
  partitions: 6,
  maxAttempts: 5,
  backoffMs: 1000,
  maxBackoffMs: 5000,
  sessionTimeoutMs: 10_000,
  fetchBytes: 8 * 1024 * 1024,
};

/** Remembers every send of some records (a failing one too); rejects when told to. */
export class FakePublisher {
  readonly sends: { topic: string; records: OutboundRecord[] }[] = [];
  failure: Error | null = null;

  async send(topic: string, records: readonly OutboundRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.sends.push({ topic, records: [...records] });
    if (this.failure) throw this.failure;
  }

  to(topic: string): OutboundRecord[] {
    return this.sends.filter((send) => send.topic === topic).flatMap((send) => send.records);
  }

  get all(): OutboundRecord[] {
    return this.sends.flatMap((send) => send.records);
  }
}

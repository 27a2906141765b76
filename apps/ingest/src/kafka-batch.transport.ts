import { BatchConsumer, fetchBytesPerPartition, InboundBatch, KafkaClient } from '@capflow/kafka';
import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';

/** The message pattern a handler takes whole partition batches on. */
export const INGEST_BATCH = 'capflow.ingest.batch';

/**
 * A Nest transport around capflow's batch consumer. Nest's own Kafka transport hands handlers one
 * message at a time and commits on its own schedule; here the handler gets a partition batch and
 * its offsets are committed only after the handler's promise resolves — after the append.
 */
export class KafkaBatchTransport extends Server implements CustomTransportStrategy {
  private readonly log = new Logger('KafkaBatchTransport');
  private consumer: BatchConsumer | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly client: KafkaClient,
    private readonly partitionsConsumedConcurrently = 2,
  ) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  private async start(): Promise<void> {
    const handler = this.getHandlerByPattern(INGEST_BATCH);
    if (!handler) throw new Error(`no handler for ${INGEST_BATCH}`);
    const { topic, retryTopic, groupId, fetchBytes } = this.client.settings;
    await this.client.ensureTopics();
    const partitions = await this.client.partitionCount(topic);
    this.consumer = this.client.batchConsumer({ topics: [topic, retryTopic], maxBytesPerPartition: fetchBytesPerPartition(partitions, fetchBytes) });
    void this.consumer.failure().then((error) => {
      this.log.error(`consumer stopped for good: ${error.message}`);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
    await this.consumer.start(
      async (batch: InboundBatch) => lastValueFrom(this.transformToObservable(await handler(batch))),
      this.partitionsConsumedConcurrently,
    );
    this.log.log(`consuming ${topic} and ${retryTopic} as ${groupId}`);
  }

  /** Finishes the batch under way (its append and commit), then leaves the group. Idempotent. */
  close(): Promise<void> {
    this.stopping ??= (async () => {
      await this.consumer?.stop();
      this.log.log('left the consumer group');
    })();
    return this.stopping;
  }

  on(): never {
    throw new Error('KafkaBatchTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}

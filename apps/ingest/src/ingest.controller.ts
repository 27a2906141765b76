import { InboundBatch, KafkaIngestion } from '@capflow/kafka';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { INGEST_BATCH } from './kafka-batch.transport';

/**
 * The message adapter: a partition batch in, through the ingestion use case. It answers once the
 * batch is handed over (parsed, its append queued) with a `durable` promise: the transport's
 * consumer fetches the next batch meanwhile and commits this one's offset only once that resolves.
 */
@Controller()
export class IngestController {
  constructor(private readonly ingestion: KafkaIngestion) {}

  @MessagePattern(INGEST_BATCH)
  handle(@Payload() batch: InboundBatch) {
    return this.ingestion.handOver(batch);
  }
}

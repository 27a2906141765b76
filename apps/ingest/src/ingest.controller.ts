import { InboundBatch, KafkaIngestion } from '@capflow/kafka';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { INGEST_BATCH } from './kafka-batch.transport';

/** The message adapter: a partition batch in, through the ingestion use case. */
@Controller()
export class IngestController {
  constructor(private readonly ingestion: KafkaIngestion) {}

  @MessagePattern(INGEST_BATCH)
  handle(@Payload() batch: InboundBatch) {
    return this.ingestion.handle(batch);
  }
}

import { IngestionService } from '@capflow/ingestion';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { IngestConfig } from './ingest-config';
import { IngestModule } from './ingest.module';
import { KafkaBatchTransport } from './kafka-batch.transport';

export interface RunningIngest {
  app: INestApplication;
  /** Where /health and /metrics answer. */
  url: string;
  /** Finishes the batch under way, commits, leaves the group, closes the store. */
  stop(): Promise<void>;
}

/**
 * Starts the ingest process: HTTP for operations, and the Kafka batch consumer as a Nest
 * microservice transport in the same application (a hybrid app).
 */
export async function startIngest(config: IngestConfig): Promise<RunningIngest> {
  const app = await NestFactory.create(IngestModule.forRoot(config), { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const ingestion = app.get(IngestionService);
  const started = Date.now();
  await ingestion.warmUp(); // the decision state from the store, before the first batch arrives
  logger.log({ msg: 'decision state loaded', store: config.redactedStoreUrl, seconds: (Date.now() - started) / 1000 }, 'Ingest');
  const transport = app.get(KafkaBatchTransport);
  app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.httpHost);
  const url = await app.getUrl();
  logger.log({ msg: 'ingest started', http: url, topic: config.kafka.topic, group: config.kafka.groupId }, 'Ingest');
  let stopping: Promise<void> | null = null;
  return {
    app,
    url: url.replace('[::1]', '127.0.0.1'),
    stop: () => {
      stopping ??= (async () => {
        await transport.close(); // before the store closes: the batch under way must finish
        await app.close();
      })();
      return stopping;
    },
  };
}

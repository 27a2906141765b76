import { IngestionService } from '@capflow/ingestion';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { IngestConfig } from './ingest-config';
import { IngestModule } from './ingest.module';
import { KafkaBatchTransport } from './kafka-batch.transport';

const SHUTDOWN_MS = 15_000;

/** true if the work finished within ms. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    work.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return finished;
}

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
  const app = await NestFactory.create(IngestModule.forRoot(config), { bufferLogs: true, abortOnError: false });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const ingestion = app.get(IngestionService);
  const started = Date.now();
  await ingestion.warmUp(); // the decision state from the store, before the first batch arrives
  logger.log({ msg: 'decision state loaded', store: config.redactedStoreUrl, seconds: (Date.now() - started) / 1000 }, 'Ingest');
  const transport = app.get(KafkaBatchTransport);
  app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  // /health and /metrics take no body: a request must be whole within 20 s, not Node's 300 s
  const server = app.getHttpServer() as { requestTimeout: number; headersTimeout: number; connectionsCheckingInterval: number };
  server.requestTimeout = 20_000;
  server.headersTimeout = 15_000;
  server.connectionsCheckingInterval = 1_000;
  await app.listen(config.httpPort, config.httpHost);
  const url = await app.getUrl();
  logger.log({ msg: 'ingest started', http: url, topic: config.kafka.topic, group: config.kafka.groupId }, 'Ingest');
  let stopping: Promise<void> | null = null;
  return {
    app,
    url: url.replace('[::1]', '127.0.0.1'),
    stop: () => {
      stopping ??= (async () => {
        // Before the store closes: the batch under way finishes and commits. Bounded, because the
        // client may wait for ever on a broker that went away; abandoning is safe, since offsets
        // are committed only after durable appends (the batch is delivered again).
        if (!(await within(transport.close(), SHUTDOWN_MS)))
          logger.warn({ msg: `the consumer did not leave its group within ${SHUTDOWN_MS} ms: abandoned` }, 'Ingest');
        await within(app.close(), SHUTDOWN_MS);
      })();
      return stopping;
    },
  };
}

import { appendProbeFile, EventStore, openEventStore } from '@capflow/event-store';
import { EventParser, IngestionService, WorkerEventParser } from '@capflow/ingestion';
import { Holding, KafkaClient, KafkaIngestion, RecordPublisher } from '@capflow/kafka';
import { loggingTo } from '@capflow/logging';
import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import { IngestConfig } from './ingest-config';
import { IngestController } from './ingest.controller';
import { EVENT_PARSER, EVENT_STORE, RECORD_PUBLISHER } from './ingest.tokens';
import { IngestMetrics } from './ingest-metrics.service';
import { KafkaBatchTransport } from './kafka-batch.transport';
import { OperationsController } from './operations.controller';

/**
 * unknown_reference facts are decided again with up to 8 later transactions (about a round of the
 * partitions of a pre-filled topic) before the retry topic; 20,000 at most are held at once (about
 * 20 MB), 5,000 at most are carried by one transaction (which stays short enough for the group's
 * heartbeats), and they go to the retry topic after a second without a new batch (see Holding in
 * libs/kafka).
 */
const HOLDING: Holding = { rounds: 8, facts: 20_000, carry: 5_000, idleMs: 1000 };

/** Closes the store and the Kafka clients once the consumer has left its group (after dispose). */
@Injectable()
class IngestResources implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(RECORD_PUBLISHER) private readonly publisher: RecordPublisher,
    @Inject(EVENT_PARSER) private readonly parser: EventParser,
    private readonly kafka: KafkaClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close();
    await this.kafka.close();
    await this.parser.close();
    await this.store.close();
  }
}

/** The ingest process: the Kafka batch consumer, the ingestion use case, /health and /metrics. */
@Module({})
export class IngestModule {
  static forRoot(config: IngestConfig): DynamicModule {
    const kafkaLog = new Logger('kafka');
    return {
      module: IngestModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: loggingTo(process.stdout, {
            level: config.logLevel,
            base: { service: 'capflow-ingest' },
            // the server's own id; an id the client sent is logged as the client's, never as this one
            genReqId: () => randomUUID(),
            customProps: (request) => {
              const given = request.headers['x-request-id'];
              return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(given) && !/cfk_/i.test(given) ? { clientRequestId: given } : {};
            },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            autoLogging: { ignore: (request) => request.url === '/metrics' || request.url === '/health' },
          }),
        }),
      ],
      controllers: [IngestController, OperationsController],
      providers: [
        { provide: IngestConfig, useValue: config },
        {
          provide: EVENT_STORE,
          useFactory: () => openEventStore(config.storeUrl, { probe: config.appendProbeFile ? appendProbeFile(config.appendProbeFile) : undefined }),
        },
        {
          provide: KafkaClient,
          useFactory: () =>
            new KafkaClient(config.kafka, (level, message, fields) =>
              level === 'error'
                ? kafkaLog.error({ msg: message, ...fields })
                : level === 'warn'
                  ? kafkaLog.warn({ msg: message, ...fields })
                  : kafkaLog.debug?.({ msg: message, ...fields }),
            ),
        },
        { provide: RECORD_PUBLISHER, inject: [KafkaClient], useFactory: (kafka: KafkaClient) => kafka.publisher() },
        // The contract's checks run on a parsing thread, beside the previous batch's decisions and append
        { provide: EVENT_PARSER, useFactory: () => new WorkerEventParser() },
        {
          provide: IngestionService,
          inject: [EVENT_STORE, EVENT_PARSER],
          useFactory: (store: EventStore, parser: EventParser) => new IngestionService(store, { parser }),
        },
        IngestMetrics,
        {
          provide: KafkaIngestion,
          inject: [IngestionService, RECORD_PUBLISHER, IngestMetrics],
          useFactory: (ingestion: IngestionService, publisher: RecordPublisher, metrics: IngestMetrics) =>
            new KafkaIngestion(
              ingestion,
              publisher,
              config.kafka,
              () => new Date(),
              (batch) => metrics.record(batch),
              HOLDING,
            ),
        },
        { provide: KafkaBatchTransport, inject: [KafkaClient], useFactory: (kafka: KafkaClient) => new KafkaBatchTransport(kafka) },
        IngestResources,
      ],
    };
  }
}

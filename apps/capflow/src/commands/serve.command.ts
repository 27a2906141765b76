import { Command, Option } from 'nest-commander';
import { reportFailure } from '../output/cli-failure';
import { serveAllInOne } from '../serve/all-in-one';
import { StoreOpener } from '../store/store-opener.service';
import { KafkaCommand, KafkaOptions } from './kafka-command';

export interface ServeCommandOptions extends KafkaOptions {
  host?: string;
  port?: string;
  ingest?: boolean;
}

/** Options shared by serve and demo: where to listen, and whether to consume Kafka. */
export abstract class ServingCommand extends KafkaCommand {
  @Option({ flags: '--host <host>', description: 'listen on this address (default: $CAPFLOW_API_HOST or 127.0.0.1)' })
  parseHost(value: string): string {
    return value;
  }

  @Option({ flags: '--port <port>', description: 'listen on this port, 0 for any free one (default: $CAPFLOW_API_PORT or 8080)' })
  parsePort(value: string): string {
    return value;
  }

  @Option({ flags: '--no-ingest', description: 'do not consume Kafka even when KAFKA_BROKERS is set' })
  parseNoIngest(): boolean {
    return false;
  }
}

/** The all-in-one process on the embedded store: API, page, projector, and Kafka ingestion when configured. */
@Command({ name: 'serve', description: 'serve the audit API and page, keep the read models, and consume Kafka when KAFKA_BROKERS is set' })
export class ServeCommand extends ServingCommand {
  constructor(private readonly stores: StoreOpener) {
    super();
  }

  async run(_: string[], options: ServeCommandOptions): Promise<void> {
    try {
      await serveAllInOne({
        storeUrl: this.stores.urlFor(options.store),
        host: options.host,
        port: options.port,
        environment: this.kafkaEnvironment(options),
        ingest: options.ingest !== false,
      });
      process.exit(process.exitCode ?? 0);
    } catch (error) {
      reportFailure(error);
      process.exit(1); // a client that failed to start may leave timers or sockets behind
    }
  }
}

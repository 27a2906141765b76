import { Command } from 'nest-commander';
import { IngestConfig } from '../../../ingest/src/ingest-config';
import { startIngest } from '../../../ingest/src/ingest.bootstrap';
import { reportFailure } from '../output/cli-failure';
import { StoreOpener } from '../store/store-opener.service';
import { KafkaCommand, KafkaOptions } from './kafka-command';

/** The ingest process in the foreground: until SIGTERM or Ctrl-C, which finish the batch under way. */
@Command({
  name: 'ingest',
  description: 'consume the input topic as group capflow-ingest and append to the store (the ingest app, in this process)',
})
export class IngestCommand extends KafkaCommand {
  constructor(private readonly stores: StoreOpener) {
    super();
  }

  async run(_: string[], options: KafkaOptions): Promise<void> {
    try {
      const config = IngestConfig.fromEnvironment(this.kafkaEnvironment(options), { storeUrl: this.stores.urlFor(options.store) });
      const running = await startIngest(config);
      await new Promise<void>((resolve) => {
        const stop = () => void running.stop().then(resolve, (error: unknown) => (reportFailure(error), resolve()));
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      // The Kafka client may keep sockets or timers after a broker went away: the work is done.
      process.exit(process.exitCode ?? 0);
    } catch (error) {
      reportFailure(error);
      process.exit(1); // a client that failed to start may leave timers or sockets behind
    }
  }
}

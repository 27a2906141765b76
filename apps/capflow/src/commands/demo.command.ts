import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'nest-commander';
import { importInWorker } from '../import/worker-import';
import { reportFailure } from '../output/cli-failure';
import { serveAllInOne } from '../serve/all-in-one';
import { ServeCommandOptions, ServingCommand } from './serve.command';

const DEMO_STORE = 'sqlite:./data/demo.db';

/** The bundled sample of public deals, loaded into its own store, then `serve`. */
@Command({ name: 'demo', description: `load the bundled sample of public AI deals (into ${DEMO_STORE} unless --store) and serve it` })
export class DemoCommand extends ServingCommand {
  async run(_: string[], options: ServeCommandOptions): Promise<void> {
    try {
      const storeUrl = options.store ?? DEMO_STORE;
      const sample = samplePath();
      const summary = await importInWorker(sample, storeUrl, () => undefined);
      summary.rejected.dispose();
      process.stdout.write(
        `sample ${sample}: ${summary.accepted} facts stored, ${summary.duplicates} already there, ${summary.rejected.count} refused\n\n`,
      );
      await serveAllInOne({ storeUrl, host: options.host, port: options.port, environment: this.kafkaEnvironment(options), ingest: options.ingest !== false });
      process.exit(process.exitCode ?? 0);
    } catch (error) {
      reportFailure(error);
      process.exit(1); // a client that failed to start may leave timers or sockets behind
    }
  }
}

/** apps/capflow/sample, from the sources or from dist/. */
function samplePath(): string {
  for (let directory = __dirname; ; directory = join(directory, '..')) {
    const candidate = join(directory, 'apps', 'capflow', 'sample', 'public-deals.ndjson');
    if (existsSync(candidate)) return candidate;
    if (join(directory, '..') === directory) throw new Error('the bundled sample (apps/capflow/sample/public-deals.ndjson) is missing');
  }
}

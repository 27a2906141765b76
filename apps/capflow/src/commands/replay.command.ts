import { isProjectionName, PROJECTIONS, ProjectionName } from '@capflow/read-models';
import { Command, Option } from 'nest-commander';
import { CliUsageError, reportFailure } from '../output/cli-failure';
import { ProgressBar } from '../output/progress-bar';
import { REPLAY_HEAP_MB, replayInWorker } from '../replay/replay-in-worker';
import { StoreOpener } from '../store/store-opener.service';
import { StoreCommand, StoreOptions } from './store-command';

/** Rebuilds read models from position 0; the old ones are served until the new ones are complete. */
@Command({ name: 'replay', description: 'rebuild every read model (or one) from the log, and print its digest' })
export class ReplayCommand extends StoreCommand {
  constructor(private readonly stores: StoreOpener) {
    super();
  }

  @Option({ flags: '--projection <name>', description: `one of ${PROJECTIONS.join(', ')}` })
  parseProjection(value: string): string {
    if (!isProjectionName(value)) throw new CliUsageError(`--projection takes one of ${PROJECTIONS.join(', ')}, not ${JSON.stringify(value)}`);
    return value;
  }

  @Option({ flags: '--flush-every <events>', description: 'write the new generation every this many events (default 100000)' })
  parseFlushEvery(value: string): number {
    if (!/^\d{1,9}$/.test(value) || Number(value) === 0) throw new CliUsageError('--flush-every takes a positive whole number');
    return Number(value);
  }

  @Option({ flags: '--heap-mb <MB>', description: `the heap the rebuild may use (default ${REPLAY_HEAP_MB}); past it, it stops and says so` })
  parseHeapMb(value: string): number {
    if (!/^\d{1,6}$/.test(value) || Number(value) < 32) throw new CliUsageError('--heap-mb takes a whole number of megabytes, at least 32');
    return Number(value);
  }

  async run(_: string[], options: StoreOptions & { projection?: ProjectionName; flushEvery?: number; heapMb?: number }): Promise<void> {
    const progress = options.json ? ProgressBar.disabled() : new ProgressBar(process.stderr, 'rebuilding');
    try {
      const projections = options.projection ? [options.projection] : [...PROJECTIONS];
      const started = Date.now();
      const request = { storeUrl: this.stores.urlFor(options.store), projections, flushEvery: options.flushEvery };
      const result = await replayInWorker(request, ({ position, head }) => progress.update(position, head, position, 'events'), options.heapMb);
      progress.finish();
      const seconds = (Date.now() - started) / 1000;
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ position: result.position, digest: result.digest, projections: Object.fromEntries(result.digests), seconds })}\n`);
      } else {
        const lines = result.digests.map(([projection, digest]) => `  ${projection.padEnd(13)} ${digest}`);
        process.stdout.write(`rebuilt ${projections.join(', ')} to position ${result.position} in ${seconds.toFixed(1)} s\n${lines.join('\n')}\ndigest ${result.digest}\n`);
      }
    } catch (error) {
      progress.finish();
      reportFailure(error);
    }
  }
}

import { runProjector } from '@capflow/read-models';
import { Command, Option } from 'nest-commander';
import { CliUsageError, reportFailure } from '../output/cli-failure';
import { ReportService } from '../reports/report.service';
import { StoreCommand, StoreOptions } from './store-command';

/** The projector in the foreground: catches up, then follows the log until SIGTERM or SIGINT. */
@Command({ name: 'project', description: 'keep the read models up to date with the log (Ctrl-C stops after a checkpoint)' })
export class ProjectCommand extends StoreCommand {
  constructor(private readonly reports: ReportService) {
    super();
  }

  @Option({ flags: '--once', description: 'catch up once and exit' })
  parseOnce(): boolean {
    return true;
  }

  @Option({ flags: '--flush-every <events>', description: 'write read models and checkpoints every this many events (default 100000)' })
  parseFlushEvery(value: string): number {
    if (!/^\d{1,9}$/.test(value) || Number(value) === 0) throw new CliUsageError('--flush-every takes a positive whole number');
    return Number(value);
  }

  async run(_: string[], options: StoreOptions & { once?: boolean; flushEvery?: number }): Promise<void> {
    try {
      await this.reports.with(options.store, async (context) => {
        const projector = context.projectorWith({ flushEvery: options.flushEvery });
        if (options.once) {
          const position = await projector.catchUp();
          process.stdout.write(`${JSON.stringify({ caughtUp: position })}\n`);
          return;
        }
        const loop = runProjector(projector, { onCaughtUp: (position) => process.stdout.write(`${JSON.stringify({ caughtUp: position })}\n`) });
        const stop = () => void loop.stop();
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
        await loop.done;
      });
    } catch (error) {
      reportFailure(error);
    }
  }
}

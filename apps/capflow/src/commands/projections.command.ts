import { PROJECTIONS } from '@capflow/read-models';
import { Command } from 'nest-commander';
import { reportFailure } from '../output/cli-failure';
import { formatTable } from '../output/table';
import { ReportService } from '../reports/report.service';
import { StoreCommand, StoreOptions } from './store-command';

/** Where each read model stands against the log, with the digest of what it holds. */
@Command({ name: 'projections', description: 'the read models: generation, checkpoint, digest, and how far behind the log' })
export class ProjectionsCommand extends StoreCommand {
  constructor(private readonly reports: ReportService) {
    super();
  }

  async run(_: string[], options: StoreOptions): Promise<void> {
    try {
      const { head, states } = await this.reports.with(options.store, async (context) => ({
        head: (await context.store.head()).position,
        states: await context.readModels.states(),
      }));
      const rows = PROJECTIONS.map((projection) => {
        const state = states.get(projection);
        return { projection, generation: state?.generation ?? null, position: state?.position ?? null, behind: head - (state?.position ?? 0), digest: state?.digest ?? null };
      });
      if (options.json) process.stdout.write(`${JSON.stringify({ head, projections: rows })}\n`);
      else {
        process.stdout.write(
          `${formatTable(
            ['projection', 'generation', 'position', 'behind', 'digest'],
            rows.map((r) => [r.projection, String(r.generation ?? '-'), String(r.position ?? '-'), String(r.behind), r.digest ?? '-']),
            new Set([1, 2, 3]),
          )}\nlog head ${head}\n`,
        );
      }
    } catch (error) {
      reportFailure(error);
    }
  }
}

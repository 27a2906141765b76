import { PROJECTIONS } from '@capflow/read-models';
import { Command } from 'nest-commander';
import { reportFailure } from '../output/cli-failure';
import { formatTable } from '../output/table';
import { ReportService } from '../reports/report.service';
import { StoreCommand, StoreOptions } from './store-command';

/**
 * Where each read model stands against the log, with the digest of what it holds and whether its
 * stored content still hashes to that digest (`verify` proves it is what the log implies).
 */
@Command({ name: 'projections', description: 'the read models: generation, checkpoint, digest (and whether their content still matches it), and how far behind the log' })
export class ProjectionsCommand extends StoreCommand {
  constructor(private readonly reports: ReportService) {
    super();
  }

  async run(_: string[], options: StoreOptions): Promise<void> {
    try {
      const { head, states, unreconciled } = await this.reports.with(options.store, async (context) => ({
        head: (await context.store.head()).position,
        states: await context.readModels.states(),
        unreconciled: new Map((await context.readModels.unreconciled()).map(({ projection, detail }) => [projection, detail])),
      }));
      const rows = PROJECTIONS.map((projection) => {
        const state = states.get(projection);
        return {
          projection,
          generation: state?.generation ?? null,
          position: state?.position ?? null,
          behind: head - (state?.position ?? 0),
          digest: state?.digest ?? null,
          unreconciled: unreconciled.get(projection) ?? null,
        };
      });
      const snapshots = { unreconciled: unreconciled.get('snapshots') ?? null };
      if (options.json) process.stdout.write(`${JSON.stringify({ head, projections: rows, snapshots })}\n`);
      else {
        process.stdout.write(
          `${formatTable(
            ['projection', 'generation', 'position', 'behind', 'digest', 'content'],
            rows.map((r) => [
              r.projection,
              String(r.generation ?? '-'),
              String(r.position ?? '-'),
              String(r.behind),
              r.digest ?? '-',
              r.digest === null ? '-' : r.unreconciled ? 'DOES NOT MATCH' : 'matches',
            ]),
            new Set([1, 2, 3]),
          )}\nlog head ${head}\n${rows
            .filter((r) => r.unreconciled)
            .map((r) => `${r.projection}: ${r.unreconciled} (refused by reports; \`capflow verify\` names the row)\n`)
            .join('')}${snapshots.unreconciled ? `snapshots: ${snapshots.unreconciled} (no view starts from it; \`capflow replay\` rebuilds them)\n` : ''}`,
        );
      }
    } catch (error) {
      reportFailure(error);
    }
  }
}

import { BALANCES } from '@capflow/queries';
import { Command } from 'nest-commander';
import { reportFailure } from '../output/cli-failure';
import { printReport } from '../reports/print-report';
import { ReportService } from '../reports/report.service';
import { selectionOf, ViewCommand, ViewOptions } from './view-command';

/** Every party's balances per currency and account (EVENTS.md postings), with their normal sign. */
@Command({ name: 'balances', description: 'balances per party, currency and account' })
export class BalancesCommand extends ViewCommand {
  constructor(private readonly reports: ReportService) {
    super();
  }

  async run(_: string[], options: ViewOptions): Promise<void> {
    try {
      const selection = selectionOf(options);
      const report = await this.reports.with(options.store, ({ queries }) => queries.balances(selection), Boolean(options.json || options.csv));
      printReport(report, options, BALANCES);
    } catch (error) {
      reportFailure(error);
    }
  }
}

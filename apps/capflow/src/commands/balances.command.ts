import type { BalancesReport } from '@capflow/projections';
import { Command } from 'nest-commander';
import { reportFailure } from '../output/cli-failure';
import { printReport } from '../reports/print-report';
import { BALANCES } from '../reports/report-printers';
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
      const report = await this.reports.with(options.store, async (context) =>
        this.reports.isCurrent(selection)
          ? await this.reports.document<BalancesReport>(context, 'balances', 'balances', Boolean(options.json || options.csv))
          : (await this.reports.view(context, selection)).balancesReport(selection.asOfText),
      );
      printReport(report, options, BALANCES);
    } catch (error) {
      reportFailure(error);
    }
  }
}

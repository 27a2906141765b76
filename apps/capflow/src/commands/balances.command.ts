import { BALANCE_FILTERS, balanceRows, BALANCES, BALANCES_SERIES, rowsRequestOf, seriesRows } from '@capflow/queries';
import { Command, Option } from 'nest-commander';
import { reportFailure } from '../output/cli-failure';
import { printReport } from '../reports/print-report';
import { ReportService } from '../reports/report.service';
import { nextPageLine, RowsCommand, RowsOptions, selectionOf, seriesOf } from './view-command';

const ROWS_NAMES = { limit: '--limit', after: '--after', partyId: '--party-id', group: '--group', currency: '--currency' };

/** Every party's balances per currency and account (EVENTS.md postings), with their normal sign. */
@Command({ name: 'balances', description: 'balances per party, currency and account' })
export class BalancesCommand extends RowsCommand {
  constructor(private readonly reports: ReportService) {
    super();
  }

  @Option({ flags: '--party-id <partyId>', description: 'only this party' })
  parsePartyId(value: string): string {
    return value;
  }

  @Option({ flags: '--group <group>', description: 'only the parties of this group' })
  parseGroup(value: string): string {
    return value;
  }

  async run(_: string[], options: RowsOptions & { partyId?: string; group?: string }): Promise<void> {
    try {
      const series = seriesOf(options);
      const rows = rowsRequestOf(options, BALANCE_FILTERS, ROWS_NAMES);
      const quiet = Boolean(options.json || options.csv);
      if (series) {
        const points = await this.reports.with(options.store, ({ queries }) => queries.balancesSeries(series), quiet);
        const answer = seriesRows(points, rows, ROWS_NAMES, (point) => ({ ...point, parties: balanceRows(point, rows).parties }));
        return printReport(answer, options, BALANCES_SERIES);
      }
      const selection = selectionOf(options);
      const report = await this.reports.with(options.store, ({ queries }) => queries.balances(selection), Boolean(options.json || options.csv));
      const answer = balanceRows(report, rows);
      printReport(answer, options, BALANCES, nextPageLine(answer));
    } catch (error) {
      reportFailure(error);
    }
  }
}

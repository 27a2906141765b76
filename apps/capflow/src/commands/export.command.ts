import { Command, Option } from 'nest-commander';
import { exportTables } from '../export/export-tables';
import { EXPORT_FORMATS, ExportFormat, writeExport } from '../export/export-writer';
import { CliUsageError, reportFailure } from '../output/cli-failure';
import { ReportService } from '../reports/report.service';
import { StoreCommand, StoreOptions } from './store-command';

/** The ledger for analysts: its facts and reports as files that DuckDB, pandas or Spark read. */
@Command({ name: 'export', description: 'write the facts and the reports as Parquet (exact decimals) or CSV files into a new directory' })
export class ExportCommand extends StoreCommand {
  constructor(private readonly reports: ReportService) {
    super();
  }

  @Option({ flags: '--out <dir>', description: 'the directory to write: missing or empty', required: true })
  parseOut(value: string): string {
    return value;
  }

  @Option({ flags: '--format <format>', description: 'parquet (default) or csv' })
  parseFormat(value: string): string {
    if (!EXPORT_FORMATS.includes(value as ExportFormat)) throw new CliUsageError(`--format takes parquet or csv, not ${JSON.stringify(value.slice(0, 64))}`);
    return value;
  }

  async run(_: string[], options: StoreOptions & { out: string; format?: ExportFormat }): Promise<void> {
    try {
      const started = Date.now();
      const summary = await this.reports.with(options.store, async ({ store, queries }) => {
        const head = (await store.head()).position;
        return writeExport(options.out, options.format ?? 'parquet', exportTables(store, queries, head));
      });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      for (const table of summary.tables) process.stdout.write(`${table.file}  ${table.rows} rows\n`);
      process.stdout.write(`exported ${summary.tables.length} tables to ${summary.out} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      reportFailure(error);
    }
  }
}

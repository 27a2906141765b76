import { asCsv, Tabular } from '@capflow/queries';
import { groupDigits } from '../output/digit-grouping';
import { formatTable } from '../output/table';

/** --json: the report as JSON; --csv: rows; otherwise a table for people. */
export function printReport<T>(report: T, options: { json?: boolean; csv?: boolean }, tabular: Tabular<T>, footer = ''): void {
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else if (options.csv) process.stdout.write(asCsv(tabular, report));
  else process.stdout.write(`${asTable(tabular, report)}\n${footer}`);
}

export function asTable<T>(tabular: Tabular<T>, report: T): string {
  const amounts = new Set(tabular.amounts);
  const rows = tabular.rows(report).map((row) => row.map((cell, column) => (amounts.has(column) ? groupDigits(cell) : cell)));
  return `${formatTable(tabular.headers, rows, new Set(tabular.numeric))}\n${rows.length} row${rows.length === 1 ? '' : 's'}`;
}

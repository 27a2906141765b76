import { csvLines } from '@capflow/queries';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliUsageError } from '../output/cli-failure';
import type { ExportTable } from './export-tables';
import { jsonLine, parquetCopySql } from './parquet-copy';

export type ExportFormat = 'parquet' | 'csv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['parquet', 'csv'];

export interface ExportSummary {
  out: string;
  format: ExportFormat;
  tables: { name: string; file: string; rows: number; bytes: number }[];
}

/**
 * Writes the tables into `out`, all or nothing: into a hidden sibling directory first, renamed to
 * `out` once every file is complete and synced. A failure removes what was written; a process
 * killed meanwhile leaves only the hidden directory, never a half-written `out`. `out` may be
 * missing or an empty directory; anything else is refused before anything is written.
 */
export async function writeExport(outArgument: string, format: ExportFormat, tables: ExportTable[]): Promise<ExportSummary> {
  const out = resolve(outArgument);
  const emptyTarget = checkTarget(out, outArgument);
  const partial = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial); // ENOENT, EACCES, EROFS … name the path (reportFailure)
  try {
    const written = format === 'csv' ? writeCsv(partial, tables) : await writeParquet(partial, tables);
    const summary: ExportSummary = { out, format, tables: [] };
    for await (const table of written) summary.tables.push({ ...table, file: join(out, table.file) });
    if (emptyTarget) rmdirSync(out);
    renameSync(partial, out);
    return summary;
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
}

/** Whether `out` is an existing empty directory (to be replaced); refuses a file or a directory with anything in it. */
function checkTarget(out: string, shown: string): boolean {
  let stat;
  try {
    stat = statSync(out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if (!stat.isDirectory()) throw new CliUsageError(`--out ${shown}: exists and is not a directory`);
  if (readdirSync(out).length > 0) throw new CliUsageError(`--out ${shown}: exists and is not empty (an export writes a directory of its own)`);
  return true;
}

type Written = AsyncIterable<{ name: string; file: string; rows: number; bytes: number }>;

/** Writes a table's batches to a file, synced; the rows and bytes written. */
async function writeLines(path: string, header: string, batches: AsyncIterable<string[][]>, lines: (rows: string[][]) => string) {
  const fd = openSync(path, 'wx');
  let rows = 0;
  let bytes = 0;
  try {
    bytes += writeSync(fd, header);
    for await (const batch of batches) {
      rows += batch.length;
      bytes += writeSync(fd, lines(batch));
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { rows, bytes };
}

/** CSV as the reports' --csv writes it: amounts exact, every text cell inert for a spreadsheet. */
async function* writeCsv(dir: string, tables: ExportTable[]): Written {
  for (const table of tables) {
    const exact = table.columns.flatMap((column, index) => (column.kind === 'text' ? [] : [index]));
    const file = `${table.name}.csv`;
    const header = csvLines([table.columns.map((column) => column.name)], []);
    const { rows, bytes } = await writeLines(join(dir, file), header, table.batches(), (batch) => csvLines(batch, exact));
    yield { name: table.name, file, rows, bytes };
  }
}

/**
 * Parquet through DuckDB: each table's rows go to a JSON-lines file of strings, which DuckDB
 * reads with every column typed (parquetCopySql), then the JSON file is deleted. DuckDB works
 * in bounded memory, spilling into the export's own directory.
 */
async function* writeParquet(dir: string, tables: ExportTable[]): Written {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: '256MB', threads: '2', temp_directory: join(dir, '.duckdb-spill') });
  const connection = await instance.connect();
  try {
    for (const table of tables) {
      const source = join(dir, `${table.name}.jsonl`);
      const file = `${table.name}.parquet`;
      const { rows } = await writeLines(source, '', table.batches(), (batch) => batch.map((row) => jsonLine(table, row)).join(''));
      await connection.run(parquetCopySql(table, source, join(dir, file)));
      rmSync(source);
      const fd = openSync(join(dir, file), 'r+');
      fsyncSync(fd);
      closeSync(fd);
      yield { name: table.name, file, rows, bytes: statSync(join(dir, file)).size };
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(join(dir, '.duckdb-spill'), { recursive: true, force: true });
  }
}

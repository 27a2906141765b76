import { ExportTable, PARQUET_TYPES } from './export-tables';

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * The DuckDB statement that turns a table's rows, written as newline-delimited JSON objects of
 * strings (exactly as the ledger states them), into a Parquet file with typed columns: each
 * amount cast from its decimal string to DECIMAL(38,3), so no value passes through a float.
 * An empty cell of a typed column is NULL (a ratio with nothing to divide by); text stays text.
 */
export function parquetCopySql(table: ExportTable, source: string, target: string): string {
  const columns = table.columns.map((column) => `${literal(column.name)}: 'VARCHAR'`).join(', ');
  const select = table.columns
    .map((column) =>
      column.kind === 'text' ? quoted(column.name) : `CAST(NULLIF(${quoted(column.name)}, '') AS ${PARQUET_TYPES[column.kind]}) AS ${quoted(column.name)}`,
    )
    .join(', ');
  return (
    `COPY (SELECT ${select} FROM read_json(${literal(source)}, format = 'newline_delimited', columns = {${columns}})) ` +
    `TO ${literal(target)} (FORMAT parquet, COMPRESSION zstd)`
  );
}

/** One row as the JSON object parquetCopySql reads: every cell a string under its column's name. */
export function jsonLine(table: ExportTable, row: string[]): string {
  const object: Record<string, string> = {};
  table.columns.forEach((column, index) => (object[column.name] = row[index] ?? ''));
  return `${JSON.stringify(object)}\n`;
}

import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportTable } from './export-tables';
import { writeExport } from './export-writer';

// Real files and a real DuckDB: the writer's promises are about what lands on disk.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'capflow-export-writer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = [
  ['=HYPERLINK("x")', '99999999999999999999.999', '0.5'],
  ['plain', '-0.001', ''],
  ['-2+3', '12.50', '2'],
];
const table = (rows: string[][], failAfter?: number): ExportTable => ({
  name: 'amounts',
  columns: [
    { name: 'label', kind: 'text' },
    { name: 'amount', kind: 'amount' },
    { name: 'ratio', kind: 'ratio' },
  ],
  async *batches() {
    for (let i = 0; i < rows.length; i++) {
      if (failAfter !== undefined && i === failAfter) throw new Error('the store went away');
      yield [rows[i]];
    }
  },
});

describe('writeExport', () => {
  it('given amounts of 20 digits and 3 decimals, when written as Parquet, then DuckDB reads them back exactly, and text as given', async () => {
    const out = join(dir, 'out');
    const summary = await writeExport(out, 'parquet', [table(ROWS)]);
    expect(summary.tables).toEqual([{ name: 'amounts', file: join(out, 'amounts.parquet'), rows: 3, bytes: expect.any(Number) }]);
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const read = await connection.runAndReadAll(`SELECT label, amount::VARCHAR AS amount, ratio, sum(amount) OVER ()::VARCHAR AS total FROM '${out}/amounts.parquet'`);
    connection.closeSync();
    expect(read.getRowObjectsJson()).toEqual([
      { label: '=HYPERLINK("x")', amount: '99999999999999999999.999', ratio: 0.5, total: '100000000000000000012.498' },
      { label: 'plain', amount: '-0.001', ratio: null, total: '100000000000000000012.498' },
      { label: '-2+3', amount: '12.500', ratio: 2, total: '100000000000000000012.498' },
    ]);
    expect(readdirSync(dir)).toEqual(['out']); // no work directory left
  });

  it('given the same rows as CSV, then amounts are as stated and text is inert for a spreadsheet', async () => {
    const out = join(dir, 'csv');
    await writeExport(out, 'csv', [table(ROWS)]);
    expect(readFileSync(join(out, 'amounts.csv'), 'utf8')).toBe(
      'label,amount,ratio\r\n"\'=HYPERLINK(""x"")",99999999999999999999.999,0.5\r\nplain,-0.001,\r\n\'-2+3,12.50,2\r\n',
    );
  });

  it.each(['parquet', 'csv'] as const)('given a table that fails half-way (%s), then the export fails and leaves no file behind', async (format) => {
    const out = join(dir, 'failed');
    await expect(writeExport(out, format, [table(ROWS), { ...table(ROWS, 1), name: 'second' }])).rejects.toThrow('the store went away');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

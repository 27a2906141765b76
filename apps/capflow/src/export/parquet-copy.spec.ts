import { columnsOf, ExportTable } from './export-tables';
import { jsonLine, parquetCopySql } from './parquet-copy';

const table: ExportTable = {
  name: 'round_trips',
  columns: columnsOf({ headers: ['investmentId', 'returnedCash', 'roundTripRatio', "it's \"odd\""], numeric: [1, 2], amounts: [1] }),
  batches: async function* () {},
};

describe('the Parquet copy of an export table', () => {
  it('given a report table, when typed, then its amounts are amounts, its other numbers ratios and the rest text', () => {
    expect(table.columns.map((column) => column.kind)).toEqual(['text', 'amount', 'ratio', 'text']);
  });

  it('given the columns, when the statement is built, then amounts go from strings to DECIMAL(38,3) and no amount to a float', () => {
    const sql = parquetCopySql(table, "/tmp/o'brien/rt.jsonl", '/tmp/out/rt.parquet');
    expect(sql).toContain(`CAST(NULLIF("returnedCash", '') AS DECIMAL(38,3)) AS "returnedCash"`);
    expect(sql).toContain(`CAST(NULLIF("roundTripRatio", '') AS DOUBLE) AS "roundTripRatio"`);
    expect(sql).not.toMatch(/"returnedCash"[^,]*DOUBLE/);
    // every column read as a string, names and paths quoted
    expect(sql).toContain(`columns = {'investmentId': 'VARCHAR', 'returnedCash': 'VARCHAR', 'roundTripRatio': 'VARCHAR', 'it''s "odd"': 'VARCHAR'}`);
    expect(sql).toContain(`"it's ""odd"""`);
    expect(sql).toContain(`read_json('/tmp/o''brien/rt.jsonl'`);
    expect(sql).toContain(`TO '/tmp/out/rt.parquet' (FORMAT parquet, COMPRESSION zstd)`);
  });

  it('given a row, when written for DuckDB, then every cell is a string under its column, a missing one empty', () => {
    expect(jsonLine(table, ['inv-1', '12345678901234567890.125', ''])).toBe(
      '{"investmentId":"inv-1","returnedCash":"12345678901234567890.125","roundTripRatio":"","it\'s \\"odd\\"":""}\n',
    );
  });
});

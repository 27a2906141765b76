import { toCsv } from './csv';

describe('toCsv', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180) and ends rows with CRLF', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', null]])).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n');
  });

  it('keeps amounts, negative ones included, exactly as the ledger states them', () => {
    expect(toCsv(['amount'], [['-600.00'], ['1000.00'], ['-.5']])).toBe('amount\r\n-600.00\r\n1000.00\r\n-.5\r\n');
  });

  it.each([['=HYPERLINK("http://x")'], ['+1+1'], ['@SUM(A1)'], ['-cmd'], ['\tx']])('makes %j inert for a spreadsheet', (text) => {
    const cell = toCsv(['name'], [[text]]).split('\r\n')[1];
    expect(cell.replace(/^"/, '').startsWith("'")).toBe(true);
  });
});

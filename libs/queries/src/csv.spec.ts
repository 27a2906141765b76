import { toCsv } from './csv';

describe('toCsv', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180) and ends rows with CRLF', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', null]], [])).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n');
  });

  it('keeps amounts in their columns, negative ones included, exactly as the ledger states them', () => {
    expect(toCsv(['amount'], [['-600.00'], ['1000.00'], ['0.5'], ['-12']], [0])).toBe('amount\r\n-600.00\r\n1000.00\r\n0.5\r\n-12\r\n');
  });

  it.each([
    ['=HYPERLINK("http://x")'],
    ['+1+1'],
    ['@SUM(A1)'],
    ['-cmd'],
    ["-2+3+cmd|' /C calc'!A0"], // the probe's: "-" and a digit, as an amount starts
    ['-.5+cmd|x'],
    ['-600.00'], // a text cell that reads as a negative number is still text: the column decides
    ['\tx'],
    ['\r=1'],
    ['\n=1'],
    ['＝1+1'],
  ])('makes the text %j inert for a spreadsheet, whatever follows its first character', (text) => {
    const cell = toCsv(['name', 'amount'], [[text, '1.00']], [1]).split('\r\n')[1];
    expect(cell.replace(/^"/, '').startsWith("'")).toBe(true);
    expect(cell.endsWith(',1.00')).toBe(true);
  });

  it('treats a cell of an amount column that is not a plain decimal as text', () => {
    expect(toCsv(['amount'], [["-2+3+cmd|' /C calc'!A0"], ['=1']], [0])).toBe("amount\r\n'-2+3+cmd|' /C calc'!A0\r\n'=1\r\n");
  });
});

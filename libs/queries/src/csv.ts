/**
 * RFC 4180: fields with commas, quotes or line breaks are quoted, quotes doubled.
 *
 * `exactColumns` are the columns of amounts and positions (decimal strings such as "-600.00"):
 * they are written as stated. Every other cell is text and is made inert for a spreadsheet. The
 * column decides, never the cell's content, so a text that looks like a number ("-2+3+cmd|…")
 * cannot pass as one.
 */
export function toCsv(headers: string[], rows: (string | number | null)[][], exactColumns: readonly number[]): string {
  return csvLines([headers], []) + csvLines(rows, exactColumns);
}

/** Rows as CSV lines (each ended by CRLF), cells quoted and made inert as toCsv says: for a file written in batches. */
export function csvLines(rows: (string | number | null)[][], exactColumns: readonly number[]): string {
  const exact = new Set(exactColumns);
  const field = (value: string | number | null, column: number) => {
    const raw = value === null ? '' : String(value);
    const text = exact.has(column) && DECIMAL.test(raw) ? raw : neutralised(raw);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  let out = '';
  for (const row of rows) out += `${row.map(field).join(',')}\r\n`;
  return out;
}

/** What an exact column holds: a plain decimal, which no spreadsheet runs. Anything else in it is treated as text. */
const DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;

/**
 * Text a spreadsheet could run as a formula, whatever follows its first character: "=", "+",
 * "-", "@" (and their full-width forms, which some spreadsheets fold), a tab, CR or LF. It gets a
 * leading apostrophe, so a party's name or a source cannot execute when an auditor opens the file.
 */
function neutralised(text: string): string {
  return /^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/.test(text) ? `'${text}` : text;
}

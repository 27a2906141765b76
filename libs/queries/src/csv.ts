/** RFC 4180: fields with commas, quotes or line breaks are quoted, quotes doubled. */
export function toCsv(headers: string[], rows: (string | number | null)[][]): string {
  const field = (value: string | number | null) => {
    const text = neutralised(value === null ? '' : String(value));
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [headers, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

/**
 * Text a spreadsheet would run as a formula (=, +, @, a tab or CR first, or "-" not starting a
 * number) gets a leading apostrophe: a party's name in an exported report must not execute when
 * an auditor opens it. Amounts ("-600.00") are left as they are.
 */
function neutralised(text: string): string {
  return /^[=+@\t\r]/.test(text) || /^-(?![0-9.])/.test(text) ? `'${text}` : text;
}

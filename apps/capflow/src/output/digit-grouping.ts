/** A plain decimal: an optional minus, whole digits, and any number of minor digits. */
const PLAIN_DECIMAL = /^(-?)(\d+)(\.\d+)?$/;

/**
 * An amount with its whole digits grouped in thousands for reading (`-1,234.50`); text that is not
 * a plain decimal (empty, `n/a`, an amount with its currency) is left as it is. Only for tables
 * for people: JSON and CSV carry amounts exactly as stated.
 */
export function groupDigits(amount: string): string {
  const parts = PLAIN_DECIMAL.exec(amount);
  if (!parts) return amount;
  const [, sign, whole, minor = ''] = parts;
  return `${sign}${whole.replace(/\B(?=(\d{3})+$)/g, ',')}${minor}`;
}

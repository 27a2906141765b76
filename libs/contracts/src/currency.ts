/** The contract's currency table: ISO 4217 code → minor units (EVENTS.md, "Money"). */
export const CURRENCY_MINOR_UNITS = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  CNY: 2,
  INR: 2,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  BHD: 3,
} as const;

export type CurrencyCode = keyof typeof CURRENCY_MINOR_UNITS;

export const CURRENCY_CODES = Object.keys(CURRENCY_MINOR_UNITS) as CurrencyCode[];

export function isCurrencyCode(value: unknown): value is CurrencyCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CURRENCY_MINOR_UNITS, value);
}

export function minorUnits(currency: CurrencyCode): number {
  return CURRENCY_MINOR_UNITS[currency];
}

/** At most 20 integer digits, a fraction only with at least one digit; no sign, exponent or spaces. */
export const AMOUNT_PATTERN = /^(\d{1,20})(?:\.(\d+))?$/;

/**
 * Why an amount string is not a valid amount of `currency`, or null when it is.
 * The contract: strictly positive, ≤ 20 integer digits, ≤ the currency's minor digits.
 */
export function amountProblem(amount: string, currency: CurrencyCode): string | null {
  const match = AMOUNT_PATTERN.exec(amount);
  if (!match) return 'must be a decimal string with 1 to 20 integer digits (no sign, exponent or spaces)';
  const fraction = match[2] ?? '';
  const allowed = CURRENCY_MINOR_UNITS[currency];
  if (fraction.length > allowed) {
    return allowed === 0
      ? `${currency} takes no fraction digits`
      : `${currency} takes at most ${allowed} fraction digits`;
  }
  if (/^0+$/.test(match[1]) && /^0*$/.test(fraction)) return 'must be strictly positive';
  return null;
}

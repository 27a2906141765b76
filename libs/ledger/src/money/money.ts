import { AMOUNT_PATTERN, CurrencyCode, MoneyDto, minorUnits } from '@capflow/contracts';

/** Money inside the ledger: an integer count of minor units. Never a float. */
export interface Money {
  minor: bigint;
  currency: CurrencyCode;
}

const POWERS_OF_TEN = Array.from({ length: 4 }, (_, i) => 10n ** BigInt(i));

/**
 * A contract amount string → minor units. The string must already satisfy the contract
 * (the parser checked it); anything else is a programming error and throws.
 */
export function parseAmount(amount: string, currency: CurrencyCode): bigint {
  const match = AMOUNT_PATTERN.exec(amount);
  const units = minorUnits(currency);
  const fraction = match?.[2] ?? '';
  if (!match || fraction.length > units) throw new RangeError(`${JSON.stringify(amount)} is not a ${currency} amount`);
  return BigInt(match[1]) * POWERS_OF_TEN[units] + BigInt(fraction.padEnd(units, '0') || '0');
}

/** Minor units → the contract's output form: exactly the currency's minor digits ("10.50", "7" for JPY). */
export function formatAmount(minor: bigint, currency: CurrencyCode): string {
  const units = minorUnits(currency);
  const sign = minor < 0n ? '-' : '';
  const magnitude = (minor < 0n ? -minor : minor).toString();
  if (units === 0) return sign + magnitude;
  const padded = magnitude.padStart(units + 1, '0');
  return `${sign}${padded.slice(0, -units)}.${padded.slice(-units)}`;
}

export function moneyOf(dto: MoneyDto): Money {
  return { minor: parseAmount(dto.amount, dto.currency), currency: dto.currency };
}

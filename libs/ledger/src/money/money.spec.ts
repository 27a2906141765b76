import { amountProblem, CURRENCY_CODES, CURRENCY_MINOR_UNITS, CurrencyCode } from '@capflow/contracts';
import fc from 'fast-check';
import { formatAmount, parseAmount } from './money';

const currency = fc.constantFrom(...CURRENCY_CODES);
/** Any amount the contract allows: up to 20 integer digits and the currency's minor digits. */
const minorAmount = (code: CurrencyCode) => fc.bigInt({ min: 1n, max: 10n ** BigInt(20 + CURRENCY_MINOR_UNITS[code]) - 1n });

describe('money', () => {
  it('formats with exactly the minor digits of the currency', () => {
    expect(formatAmount(1050n, 'USD')).toBe('10.50');
    expect(formatAmount(7n, 'JPY')).toBe('7');
    expect(formatAmount(1n, 'KWD')).toBe('0.001');
    expect(formatAmount(0n, 'USD')).toBe('0.00');
    expect(formatAmount(-1250n, 'EUR')).toBe('-12.50');
    expect(formatAmount(-5n, 'USD')).toBe('-0.05');
  });

  it('parses "10", "10.5" and "10.50" to the same minor units', () => {
    expect(parseAmount('10', 'USD')).toBe(1000n);
    expect(parseAmount('10.5', 'USD')).toBe(1050n);
    expect(parseAmount('10.50', 'USD')).toBe(1050n);
    expect(parseAmount('99999999999999999999.999', 'KWD')).toBe(99999999999999999999999n);
  });

  it('refuses what the contract refuses', () => {
    expect(() => parseAmount('10.505', 'USD')).toThrow();
    expect(() => parseAmount('1.0', 'JPY')).toThrow();
    expect(() => parseAmount('1e3', 'USD')).toThrow();
    expect(amountProblem('123456789012345678901', 'USD')).not.toBeNull();
    expect(amountProblem('12345678901234567890', 'USD')).toBeNull();
    expect(amountProblem('0.00', 'USD')).toMatch(/positive/);
  });

  it('round-trips every amount: parse(format(x)) = x', () => {
    fc.assert(
      fc.property(
        currency.chain((code) => fc.tuple(fc.constant(code), minorAmount(code))),
        ([code, minor]) => parseAmount(formatAmount(minor, code), code) === minor,
      ),
      { numRuns: 2000 },
    );
  });

  it('parses any valid amount string to its exact value, never through a float', () => {
    const amountString = currency.chain((code) =>
      fc
        .tuple(
          fc.stringMatching(/^[1-9]\d{0,19}$/),
          fc.stringMatching(new RegExp(`^\\d{0,${CURRENCY_MINOR_UNITS[code]}}$`)),
        )
        .map(([integer, fraction]) => ({ code, text: fraction ? `${integer}.${fraction}` : integer, integer, fraction })),
    );
    fc.assert(
      fc.property(amountString, ({ code, text, integer, fraction }) => {
        expect(amountProblem(text, code)).toBeNull();
        const units = CURRENCY_MINOR_UNITS[code];
        const minor = parseAmount(text, code);
        expect(minor).toBe(BigInt(integer + fraction.padEnd(units, '0')));
        // formatting keeps the value and pads the fraction to the currency's digits
        const formatted = formatAmount(minor, code);
        expect(parseAmount(formatted, code)).toBe(minor);
        if (units > 0) expect(formatted.split('.')[1]).toHaveLength(units);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses fraction digits beyond the currency', () => {
    fc.assert(
      fc.property(currency, fc.integer({ min: 1, max: 5 }), (code, extra) => {
        const digits = CURRENCY_MINOR_UNITS[code] + extra;
        expect(amountProblem(`1.${'1'.repeat(digits)}`, code)).not.toBeNull();
      }),
    );
  });
});

import { groupDigits } from './digit-grouping';

describe('groupDigits', () => {
  it.each([
    ['4000000000.00', '4,000,000,000.00'],
    ['-1234.50', '-1,234.50'],
    ['100000', '100,000'], // no minor unit (JPY)
    ['1234567.891', '1,234,567.891'], // three minor digits (BHD, KWD)
    ['999.99', '999.99'],
    ['-999', '-999'],
    ['0.00', '0.00'],
    ['1000', '1,000'],
    ['12345678901234567890.12', '12,345,678,901,234,567,890.12'], // beyond a double's digits: text, not a number
  ])('groups %s as %s', (amount, grouped) => expect(groupDigits(amount)).toBe(grouped));

  it('groups only the whole digits, never the minor ones', () => {
    expect(groupDigits('1.123456')).toBe('1.123456');
  });

  it.each(['', 'n/a', '1000.00 USD', '1e21', '+1000', '1,000.00', '.5', '12.', '--1000'])('leaves %j as it is', (text) =>
    expect(groupDigits(text)).toBe(text),
  );
});

import fc from 'fast-check';
import { instantKey, instantKeyOfBound, parseRfc3339 } from './instant';

describe('RFC 3339 instants', () => {
  it('keys an instant in UTC with nine fraction digits', () => {
    expect(instantKey('2025-11-03T09:00:00Z')).toBe('2025-11-03T09:00:00.000000000Z');
    expect(instantKey('2025-11-03T10:30:00.5+01:30')).toBe('2025-11-03T09:00:00.500000000Z');
    expect(instantKey('2025-01-01T00:30:00-01:00')).toBe('2025-01-01T01:30:00.000000000Z');
    expect(instantKey('2025-01-01t00:00:00.123456789z')).toBe('2025-01-01T00:00:00.123456789Z');
    expect(instantKey('0000-01-01T00:00:00Z')).toBe('0000-01-01T00:00:00.000000000Z');
  });

  it.each([
    '2025-02-29T00:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-11-31T00:00:00Z',
    '2025-11-03T24:00:00Z',
    '2025-11-03T23:60:00Z',
    '2025-11-03T23:59:60Z',
    '2025-11-03T09:00:00',
    '2025-11-03 09:00:00Z',
    '2025-11-03',
    '2025-11-03T09:00:00+24:00',
    '0000-01-01T00:00:00+01:00',
    '9999-12-31T23:59:59-00:01',
    '+2025-11-03T09:00:00Z',
  ])('refuses %s', (text) => {
    expect(typeof parseRfc3339(text)).toBe('string');
  });

  it('accepts any number of fraction digits, comparing to the nanosecond', () => {
    expect(instantKey('2025-11-03T09:00:00.1234567891234Z')).toBe('2025-11-03T09:00:00.123456789Z');
  });

  it('accepts a leap second only where one can be, keyed between :59 and the next minute', () => {
    expect(instantKey('2016-12-31T23:59:60Z')).toBe('2016-12-31T23:59:60.000000000Z');
    expect(instantKey('2016-12-31T18:59:60.5-05:00')).toBe('2016-12-31T23:59:60.500000000Z');
    expect(instantKey('2015-06-30T23:59:60Z')).toBe('2015-06-30T23:59:60.000000000Z');
    expect(instantKey('2016-12-31T23:59:59.999Z') < instantKey('2016-12-31T23:59:60Z')).toBe(true);
    expect(instantKey('2016-12-31T23:59:60.999Z') < instantKey('2017-01-01T00:00:00Z')).toBe(true);
    expect(typeof parseRfc3339('2016-12-31T10:30:60Z')).toBe('string');
    expect(typeof parseRfc3339('2016-12-31T23:59:60+01:00')).toBe('string');
  });

  it('accepts 29 February in leap years only', () => {
    expect(typeof parseRfc3339('2024-02-29T00:00:00Z')).toBe('object');
    expect(typeof parseRfc3339('2000-02-29T00:00:00Z')).toBe('object');
    expect(typeof parseRfc3339('1900-02-29T00:00:00Z')).toBe('string');
  });

  it('agrees with Date on every millisecond instant, and key order is time order', () => {
    const instant = fc.date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9998-12-31T00:00:00Z'), noInvalidDate: true });
    const offset = fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 });
    const render = (date: Date, offsetMinutes: number) => {
      const shifted = new Date(date.getTime() + offsetMinutes * 60000).toISOString().slice(0, -1);
      const sign = offsetMinutes < 0 ? '-' : '+';
      const abs = Math.abs(offsetMinutes);
      return `${shifted}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    };
    fc.assert(
      fc.property(instant, offset, instant, offset, (a, offsetA, b, offsetB) => {
        const keyA = instantKey(render(a, offsetA));
        const keyB = instantKey(render(b, offsetB));
        expect(keyA).toBe(`${a.toISOString().slice(0, -1)}000000Z`);
        expect(Math.sign(keyA.localeCompare(keyB))).toBe(Math.sign(a.getTime() - b.getTime()));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a bare date as its first instant for bounds', () => {
    expect(instantKeyOfBound('2025-11-05')).toBe('2025-11-05T00:00:00.000000000Z');
    expect(instantKeyOfBound('nonsense')).toBeNull();
  });
});

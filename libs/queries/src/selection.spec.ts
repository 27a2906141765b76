import { QueryError, QueryErrorCode } from './query.errors';
import { isCurrent, selectionOf, timeBound } from './selection';

describe('selectionOf', () => {
  it('is current without a business time or a ledger time', () => {
    expect(isCurrent(selectionOf({}))).toBe(true);
    expect(selectionOf({}).asOfText).toBeNull();
  });

  it('reads a bare date as the end of that day, in both times', () => {
    const selection = selectionOf({ asOf: '2025-11-05', knownAt: '2025-11-05' });
    expect(isCurrent(selection)).toBe(false);
    expect(selection.asOfText).toBe('2025-11-05');
    expect(selection.knownAt).toBe('2025-11-05T23:59:59.999Z');
    expect(selection.asOf).toBe(timeBound('2025-11-05T23:59:59.999999999Z', 'asOf', 'end', 'instant'));
  });

  it('keeps an instant as written, with its offset applied', () => {
    expect(selectionOf({ knownAt: '2025-11-05T10:00:00+02:00' }).knownAt).toBe('2025-11-05T08:00:00.000Z');
  });

  it.each(['yesterday', '2025-13-01', '2025-11-05T25:00:00Z', '', 'x'.repeat(1000)])('refuses %j, naming the parameter as the adapter calls it', (text) => {
    const attempt = () => selectionOf({ asOf: text }, { asOf: '--as-of', knownAt: '--known-at' });
    expect(attempt).toThrow(QueryError);
    expect(attempt).toThrow(/^--as-of takes an RFC 3339 time or a date/);
    try {
      attempt();
    } catch (error) {
      expect((error as QueryError).code).toBe(QueryErrorCode.InvalidParameter);
      expect((error as QueryError).detail.length).toBeLessThan(200);
    }
  });
});

describe('timeBound', () => {
  it('takes a bare date as its first instant for a lower bound and its last for an upper bound', () => {
    expect(timeBound('2025-11-05', 'from', 'start', 'iso')).toBe('2025-11-05T00:00:00.000Z');
    expect(timeBound('2025-11-05', 'to', 'end', 'iso')).toBe('2025-11-05T23:59:59.999Z');
  });
});

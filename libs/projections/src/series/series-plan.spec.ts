import { MAX_SERIES_POINTS, nextPeriod, periodOfKey, pointOf, pointsBetween, SeriesCursor, SeriesPoint, SeriesTooLong } from './series-plan';

describe('series periods', () => {
  it('end on the last day of the period, at its last instant (UTC)', () => {
    expect(pointOf('2024-02', 'month')).toEqual({ asOf: '2024-02-29', key: '2024-02-29T23:59:59.999999999Z' });
    expect(pointOf('2025-02', 'month').asOf).toBe('2025-02-28');
    expect(pointOf('2025-Q3', 'quarter').asOf).toBe('2025-09-30');
    expect(pointOf('2025-Q4', 'quarter').asOf).toBe('2025-12-31');
    expect(pointOf('2025', 'year').asOf).toBe('2025-12-31');
  });

  it('follow one another across years, and count both ends', () => {
    expect(nextPeriod('2025-12', 'month')).toBe('2026-01');
    expect(nextPeriod('2025-Q4', 'quarter')).toBe('2026-Q1');
    expect(nextPeriod('2025', 'year')).toBe('2026');
    expect(periodOfKey('2025-08-01T00:00:00.000000000Z', 'quarter')).toBe('2025-Q3');
    expect(pointsBetween('2025-11', '2026-02', 'month')).toBe(4);
    expect(pointsBetween('2025-Q1', '2025-Q1', 'quarter')).toBe(1);
    expect(pointsBetween('2026', '2025', 'year')).toBe(0);
  });
});

describe('a series cursor', () => {
  const run = (from: string | null, to: string | null, keys: string[]) => {
    const points: SeriesPoint[] = [];
    const cursor = new SeriesCursor('month', from, to, (point) => points.push(point));
    for (const key of keys) cursor.see(key);
    cursor.finish();
    return points.map((point) => point.asOf);
  };

  it("takes each point before the first fact after it, from the first fact's period to the last's", () => {
    expect(run(null, null, ['2025-01-05T00:00:00.000000000Z', '2025-01-31T23:59:59.000000000Z', '2025-03-01T00:00:00.000000000Z'])).toEqual(['2025-01-31', '2025-02-28', '2025-03-31']);
  });

  it('runs from `from` to `to` when they are named, with or without facts in them', () => {
    expect(run('2024-12', '2025-02', ['2024-06-01T00:00:00.000000000Z'])).toEqual(['2024-12-31', '2025-01-31', '2025-02-28']);
    expect(run(null, null, [])).toEqual([]);
  });

  it(`refuses a point past ${MAX_SERIES_POINTS}`, () => {
    expect(() => run('1900-01', '2100-01', [])).toThrow(SeriesTooLong);
  });
});

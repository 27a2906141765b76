import { periodOfMonth, RevenuePeriod } from '../circular/circular-revenue.report';

/** Series (TRACING.md 1.1) take the periods of circular revenue: months, quarters, years in UTC. */
export type SeriesPeriod = RevenuePeriod;
export const MAX_SERIES_POINTS = 600;

/** One point of a series: the end of a period. */
export interface SeriesPoint {
  /** The period's last day, `2025-03-31`: the report's `asOf` (the end of that day, UTC). */
  asOf: string;
  /** The instant key of that end: the view holds the facts with occurredKey ≤ it. */
  key: string;
}

/** A series longer than MAX_SERIES_POINTS: refused rather than computed. */
export class SeriesTooLong extends Error {}

/** The period an instant key (UTC) falls in, as a label: `2025-07`, `2025-Q3`, `2025`. */
export function periodOfKey(key: string, period: SeriesPeriod): string {
  return periodOfMonth(key.slice(0, 7), period);
}

/** The first month of a period's label, as [year, month]. */
function startOf(label: string, period: SeriesPeriod): [number, number] {
  const year = Number(label.slice(0, 4));
  if (period === 'year') return [year, 1];
  if (period === 'quarter') return [year, (Number(label.slice(6)) - 1) * 3 + 1];
  return [year, Number(label.slice(5, 7))];
}

const MONTHS: Record<SeriesPeriod, number> = { month: 1, quarter: 3, year: 12 };
const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** The point at the end of a period. */
export function pointOf(label: string, period: SeriesPeriod): SeriesPoint {
  const [year, month] = startOf(label, period);
  const last = month + MONTHS[period] - 1;
  const day = new Date(Date.UTC(year, last, 0)).getUTCDate(); // day 0 of the next month: the last of this one
  const asOf = `${pad(year, 4)}-${pad(last, 2)}-${pad(day, 2)}`;
  return { asOf, key: `${asOf}T23:59:59.999999999Z` };
}

/** The period after a label. */
export function nextPeriod(label: string, period: SeriesPeriod): string {
  const [year, month] = startOf(label, period);
  const next = month + MONTHS[period];
  const [y, m] = next > 12 ? [year + 1, next - 12] : [year, next];
  return periodOfMonth(`${pad(y, 4)}-${pad(m, 2)}`, period);
}

/** How many points from one label to another, both included (0 when `to` is before `from`). */
export function pointsBetween(from: string, to: string, period: SeriesPeriod): number {
  const [fy, fm] = startOf(from, period);
  const [ty, tm] = startOf(to, period);
  const months = (ty - fy) * 12 + (tm - fm);
  return months < 0 ? 0 : Math.floor(months / MONTHS[period]) + 1;
}

/**
 * Walks a pass in business order and says when each point falls: a point is taken (`take`) just
 * before the first fact after its end, with the view as it stands, and the rest at the end of the
 * pass. Points run from `from` (else the period of the first fact seen) to `to` (else the period
 * of the last one). Facts before `from` are applied but make no point.
 */
export class SeriesCursor {
  private current: string | null;
  private count = 0;
  private last: string | null = null;

  constructor(
    private readonly period: SeriesPeriod,
    from: string | null,
    private readonly to: string | null,
    private readonly take: (point: SeriesPoint) => void,
  ) {
    this.current = from;
  }

  /** A fact of the view is about to be applied. */
  see(occurredKey: string): void {
    this.current ??= periodOfKey(occurredKey, this.period);
    this.last = occurredKey;
    for (let point = pointOf(this.current, this.period); occurredKey > point.key; point = pointOf(this.current, this.period)) {
      if (this.to !== null && this.current >= this.to) return; // past the series: the pass stops at its end anyway
      this.emit(point);
      this.current = nextPeriod(this.current, this.period);
    }
  }

  /** The pass is over: the points up to `to`, or to the period of the last fact. */
  finish(): void {
    if (this.current === null) return; // no fact, no `from`: no point
    const end = this.to ?? (this.last === null ? null : periodOfKey(this.last, this.period));
    if (end === null) return;
    for (; this.current <= end; this.current = nextPeriod(this.current, this.period)) this.emit(pointOf(this.current, this.period));
  }

  private emit(point: SeriesPoint): void {
    this.count += 1;
    if (this.count > MAX_SERIES_POINTS) throw new SeriesTooLong(`a series has at most ${MAX_SERIES_POINTS} points`);
    this.take(point);
  }
}

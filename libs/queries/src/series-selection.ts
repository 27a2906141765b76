import { MAX_SERIES_POINTS, periodOfKey, pointsBetween, REVENUE_PERIODS, SeriesPeriod } from '@capflow/projections';
import { QueryError, QueryErrorCode } from './query.errors';
import { timeBound } from './selection';

/** A series (TRACING.md 1.1): the report at the end of each period from `from` to `to` (labels), as known at `knownAt`. */
export interface SeriesSelection {
  period: SeriesPeriod;
  /** Period labels (`2025-Q3`); null: the period of the view's first (last) fact. */
  from: string | null;
  to: string | null;
  /** ISO milliseconds, inclusive. */
  knownAt?: string;
}

export interface SeriesInput {
  series: string;
  from?: string;
  to?: string;
  asOf?: string;
  knownAt?: string;
}

/** Parameter names as the adapter shows them (`--series`, `--from`… on the command line). */
export type SeriesNames = Record<keyof SeriesInput, string>;

/**
 * A series selection, every parameter checked: a period the contract names, `from` and `to` times
 * or dates naming the periods they fall in (UTC), `from` not after `to`, at most
 * MAX_SERIES_POINTS points when both are given (else the pass refuses the point past them), and
 * no as-of (each point is as of its period's end).
 */
export function seriesSelectionOf(input: SeriesInput, names: SeriesNames): SeriesSelection {
  const quoted = (value: string) => JSON.stringify(value.slice(0, 64));
  const invalid = (detail: string) => new QueryError(QueryErrorCode.InvalidParameter, detail);
  if (!(REVENUE_PERIODS as readonly string[]).includes(input.series)) throw invalid(`${names.series} takes month, quarter or year, not ${quoted(input.series)}`);
  const period = input.series as SeriesPeriod;
  if (input.asOf !== undefined) throw invalid(`${names.asOf} does not go with ${names.series}: each point is as of its period's end`);
  const label = (text: string | undefined, name: string) => (text === undefined ? null : periodOfKey(timeBound(text, name, 'start', 'instant'), period));
  const from = label(input.from, names.from);
  const to = label(input.to, names.to);
  if (from !== null && to !== null) {
    if (from > to) throw invalid(`${names.from} ${quoted(input.from!)} is after ${names.to} ${quoted(input.to!)}`);
    const points = pointsBetween(from, to, period);
    if (points > MAX_SERIES_POINTS) throw invalid(`a series has at most ${MAX_SERIES_POINTS} points; ${names.from} to ${names.to} by ${period} makes ${points}`);
  }
  return {
    period,
    from,
    to,
    knownAt: input.knownAt === undefined ? undefined : timeBound(input.knownAt, names.knownAt, 'end', 'iso'),
  };
}

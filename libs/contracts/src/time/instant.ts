/**
 * RFC 3339 date-times and the ledger's instant key.
 *
 * Events are ordered and compared by instant ("occurredAt as an instant"), whatever offset the
 * producer wrote. The instant key is the UTC form with nine fraction digits
 * (`2025-11-03T09:00:00.000000000Z`): fixed width, so plain string order is time order, in
 * JavaScript, in SQLite and in PostgreSQL under the "C" collation.
 *
 * Choices (documented in the README): `T`/`t` and `Z`/`z` are accepted, a space separator is not
 * (RFC 3339 only allows it in a note); any number of fraction digits, compared to the nanosecond;
 * a leap second (:60) only where one can be, at 23:59:60 UTC on 30 June or 31 December, keyed
 * between :59 and the next minute; the instant must fall within years 0000–9999 UTC.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const SECONDS_PER_DAY = 86400;
/** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z in seconds since the epoch. */
const MIN_EPOCH_SECONDS = daysFromCivil(0, 1, 1) * SECONDS_PER_DAY;
const MAX_EPOCH_SECONDS = (daysFromCivil(9999, 12, 31) + 1) * SECONDS_PER_DAY - 1;

export interface Instant {
  /** Whole seconds since 1970-01-01T00:00:00Z (a leap second counts as the second before it). */
  epochSeconds: number;
  /** The fraction as nine digits. */
  nanos: string;
  /** 23:59:60 UTC. */
  leapSecond: boolean;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** The instant an RFC 3339 date-time names, or a reason it names none. */
export function parseRfc3339(text: string): Instant | string {
  if (typeof text !== 'string') return 'must be an RFC 3339 date-time string';
  const m = RFC3339.exec(text);
  if (!m) return 'must be an RFC 3339 date-time such as 2025-11-03T09:00:00Z (with Z or an offset)';
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (month < 1 || month > 12) return 'has no such month';
  if (day < 1 || day > daysInMonth(year, month)) return 'has no such day in its month';
  if (hour > 23 || minute > 59) return 'has no such time of day';
  if (second > 60) return 'has no such second';
  let offsetSeconds = 0;
  if (!m[8]) {
    const offsetHours = Number(m[10]);
    const offsetMinutes = Number(m[11]);
    if (offsetHours > 23 || offsetMinutes > 59) return 'has no such UTC offset';
    offsetSeconds = (m[9] === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
  }
  const leapSecond = second === 60;
  const epochSeconds =
    daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + (leapSecond ? 59 : second) - offsetSeconds;
  if (epochSeconds < MIN_EPOCH_SECONDS || epochSeconds > MAX_EPOCH_SECONDS) {
    return 'falls outside the years 0000 to 9999 UTC';
  }
  if (leapSecond && !/-(06-30|12-31)T23:59:59/.test(formatInstantKey({ epochSeconds, nanos: '000000000', leapSecond: false }))) {
    return 'has a leap second (:60) where none can be: only at 23:59:60 UTC on 30 June or 31 December';
  }
  return { epochSeconds, nanos: (m[7] ?? '').slice(0, 9).padEnd(9, '0'), leapSecond };
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

export function formatInstantKey(instant: Instant): string {
  const days = Math.floor(instant.epochSeconds / SECONDS_PER_DAY);
  const secondOfDay = instant.epochSeconds - days * SECONDS_PER_DAY;
  const [year, month, day] = civilFromDays(days);
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay % 3600) / 60);
  const second = instant.leapSecond ? 60 : secondOfDay % 60;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${instant.nanos}Z`;
}

const memo = new Map<string, string>();

/**
 * The instant key of an RFC 3339 date-time; throws on text the contract refuses. Memoised: one
 * fact's occurredAt is validated, then keyed by the decider, the state and the store in turn.
 */
export function instantKey(text: string): string {
  const key = memo.get(text) ?? keyOf(text);
  if (typeof key === 'string') return key;
  throw new RangeError(`${JSON.stringify(text)} ${key.problem}`);
}

/** Why a text is not an RFC 3339 date-time the contract accepts, or null (its key is then memoised). */
export function dateTimeProblem(text: string): string | null {
  if (typeof text === 'string' && memo.has(text)) return null;
  const key = keyOf(text);
  return typeof key === 'string' ? null : key.problem;
}

/**
 * Remembers the key that instantKey gave for a text on another thread (a parsing thread answers the
 * occurredAt keys of the facts it accepted), so that this thread need not parse the text again.
 */
export function rememberInstantKey(text: string, key: string): void {
  if (!memo.has(text)) remember(text, key);
}

function keyOf(text: string): string | { problem: string } {
  const parsed = parseRfc3339(text);
  return typeof parsed === 'string' ? { problem: parsed } : remember(text, formatInstantKey(parsed));
}

/** Bounded: past 100,000 texts the memo starts again (one batch's facts fit well within it). */
function remember(text: string, key: string): string {
  if (memo.size >= 100_000) memo.clear();
  memo.set(text, key);
  return key;
}

/** Like instantKey, for command-line and query input: a bare date means its start in UTC. */
export function instantKeyOfBound(text: string): string | null {
  const withTime = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const parsed = parseRfc3339(withTime);
  return typeof parsed === 'string' ? null : formatInstantKey(parsed);
}

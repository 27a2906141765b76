import { instantKeyOfBound, isEventType } from '@capflow/contracts';
import { STREAM_KINDS } from '@capflow/ledger';
import { QueryError, QueryErrorCode } from './query.errors';

/** A selection of the ledger: as of a business time, as known at a ledger time. */
export interface Selection {
  /** As the user wrote it, for the report's `asOf`. */
  asOfText: string | null;
  /** Instant key, inclusive. */
  asOf?: string;
  /** ISO milliseconds, inclusive. */
  knownAt?: string;
}

export interface SelectionInput {
  asOf?: string;
  knownAt?: string;
}

/** Parameter names as the adapter shows them to its user (`--as-of` on the command line, `asOf` over HTTP). */
export interface SelectionNames {
  asOf: string;
  knownAt: string;
}

export function selectionOf(input: SelectionInput, names: SelectionNames = { asOf: 'asOf', knownAt: 'knownAt' }): Selection {
  return {
    asOfText: input.asOf ?? null,
    asOf: input.asOf === undefined ? undefined : timeBound(input.asOf, names.asOf, 'end', 'instant'),
    knownAt: input.knownAt === undefined ? undefined : timeBound(input.knownAt, names.knownAt, 'end', 'iso'),
  };
}

export function isCurrent(selection: Selection): boolean {
  return selection.asOf === undefined && selection.knownAt === undefined;
}

/**
 * A time bound in the form the store compares: instant keys for business time, ISO milliseconds
 * for ledger time. A bare date means its first instant as a lower bound and its last as an upper
 * bound, so "as of 5 November" includes that day.
 */
export function timeBound(text: string, name: string, side: 'start' | 'end', form: 'instant' | 'iso'): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const key = text.length > 64 ? null : instantKeyOfBound(dateOnly && side === 'end' ? `${text}T23:59:59.999999999Z` : text);
  if (key === null) throw new QueryError(QueryErrorCode.InvalidParameter, `${name} takes an RFC 3339 time or a date (YYYY-MM-DD), not ${JSON.stringify(text.slice(0, 64))}`);
  return form === 'instant' ? key : `${key.slice(0, 23)}Z`;
}

const STREAM_NAME = /^([a-z]{1,32})-[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** A stream to select: `<kind>-<id>`, of a kind the ledger has (any other would select nothing, silently). */
export function streamFilter(text: string, name: string): string {
  const kind = STREAM_NAME.exec(text)?.[1];
  const quoted = JSON.stringify(text.slice(0, 64));
  if (kind === undefined) throw new QueryError(QueryErrorCode.InvalidParameter, `${name} ${quoted} is not a stream name (<kind>-<id>, e.g. investment-amzn-oai)`);
  if (!(STREAM_KINDS as readonly string[]).includes(kind)) {
    throw new QueryError(QueryErrorCode.InvalidParameter, `${name} ${quoted} names no kind of stream (${STREAM_KINDS.join(', ')})`);
  }
  return text;
}

/** An event type to select: one the contract names (any other would select nothing, silently). */
export function typeFilter(text: string, name: string): string {
  if (!isEventType(text)) throw new QueryError(QueryErrorCode.InvalidParameter, `${name} ${JSON.stringify(text.slice(0, 64))} names no event type`);
  return text;
}

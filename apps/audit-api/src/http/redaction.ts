/**
 * What of a request may be written to a log. A key is never logged, wherever the client put it:
 * in a header (dropped by the loggers), as a query value (values are never logged), or as a bare
 * query name or a piece of the path (`/api/balances?cfk_…`), which these functions redact.
 */

/** A capflow key, or its start: the prefix `capflow api-key` gives every key. */
const KEY = /cfk_[A-Za-z0-9_-]*/gi;
/** A query parameter's name as capflow's routes name theirs; anything else may be a secret. */
const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

export const REDACTED = '(redacted)';

export function looksLikeKey(text: string): boolean {
  return /cfk_/i.test(text);
}

/** A path with any key in it cut to its prefix. */
export function redactedPath(path: string): string {
  return path.replace(KEY, 'cfk_…');
}

/** A query parameter's name, or "(redacted)" when it is not shaped like one (a bare key, a token). */
export function loggedParameterName(name: string): string {
  return PARAMETER_NAME.test(name) && !looksLikeKey(name) ? name : REDACTED;
}

/** A URL as logs show it: the path redacted, the query by names only (`?asOf=…`). */
export function loggedUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return redactedPath(url);
  const names = url
    .slice(at + 1)
    .split('&')
    .map((pair) => `${loggedParameterName(safeDecode(pair.split('=')[0]))}=…`);
  return `${redactedPath(url.slice(0, at))}?${names.join('&')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

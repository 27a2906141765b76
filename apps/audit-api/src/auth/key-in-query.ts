import type { NextFunction, Response } from 'express';
import { ApiErrorCode } from '../http/api-error';
import type { ApiRequest } from '../http/api-request';
import { looksLikeKey } from '../http/redaction';
import { sendError } from '../http/send-error';

/** Query parameters that look like a credential: refused, so a key never sits in a URL, a log or a history. */
const CREDENTIAL_PARAMETER = /^(api[-_]?key|key|token|access[-_]?token|auth|authorization|bearer|secret|password)$/i;

/**
 * Every request, whatever its path (the API, /docs and its files, /health, a route that does not
 * exist): a credential in the query string, by its name or as a capflow key anywhere in it (a
 * bare `?cfk_…` too), is 400 key_in_query, answered before anything else reads the request.
 */
export function refuseKeysInQuery(request: ApiRequest, response: Response, next: NextFunction): void {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const named = Object.keys(query).find((name) => CREDENTIAL_PARAMETER.test(name));
  const bare = named === undefined && Object.entries(query).some(([name, value]) => looksLikeKey(name) || looksLikeKey(String(value)));
  if (named === undefined && !bare) return next();
  const what = named === undefined ? 'a key' : `${named}=`;
  sendError(request, response, 400, ApiErrorCode.KeyInQuery, `keys are never accepted in a query string (${what}): send "Authorization: Bearer <key>"`);
}

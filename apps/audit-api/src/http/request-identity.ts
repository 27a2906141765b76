import type { NextFunction, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { ApiRequest } from './api-request';
import { looksLikeKey } from './redaction';

/** What a client may send as its own `X-Request-Id`: kept beside the server's id, never as it. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * The first thing every request meets: the server's own id (a UUID no client chooses, so a log
 * line or a fact's provenance can be trusted to name one request), and the client's id, if it
 * sent a usable one, as the client's. Both loggers and the error bodies read them from here.
 */
export function identifyRequest(request: ApiRequest, response: Response, next: NextFunction): void {
  request.id = randomUUID();
  const given = request.headers['x-request-id'];
  request.clientRequestId = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) && !looksLikeKey(given) ? given : undefined;
  response.setHeader('X-Request-Id', request.id);
  next();
}

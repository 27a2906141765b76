import type { Response } from 'express';
import type { ErrorBody } from './api-error';
import type { ApiRequest } from './api-request';

/** An error answered by a middleware that runs before Nest (where the ErrorFilter cannot): the same shape. */
export function sendError(request: ApiRequest, response: Response, statusCode: number, code: string, detail: string): void {
  const body: ErrorBody = { statusCode, code, detail, requestId: String(request.id) };
  response.status(statusCode).json(body);
}

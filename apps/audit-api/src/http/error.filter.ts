import { EventStoreErrorCode, isEventStoreError } from '@capflow/event-store';
import { isQueryError, QueryErrorCode } from '@capflow/queries';
import { isUnreconciledReadModel } from '@capflow/read-models';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ApiErrorCode, ErrorBody } from './api-error';
import type { ApiRequest } from './api-request';
import { ClientGoneError } from '../events/request-body';

const QUERY_STATUS: Record<QueryErrorCode, number> = {
  [QueryErrorCode.InvalidParameter]: 400,
  [QueryErrorCode.NotFound]: 404,
  [QueryErrorCode.NotReady]: 503,
};

const STATUS_CODES: Record<number, ApiErrorCode> = {
  400: ApiErrorCode.InvalidParameter,
  401: ApiErrorCode.Unauthenticated,
  403: ApiErrorCode.Forbidden,
  404: ApiErrorCode.NotFound,
  408: ApiErrorCode.RequestTimeout,
  413: ApiErrorCode.PayloadTooLarge,
  415: ApiErrorCode.UnsupportedMediaType,
  429: ApiErrorCode.RateLimited,
  503: ApiErrorCode.Unavailable,
};

/** Every failure answers in one shape, `{statusCode, code, detail, requestId}`; internals are logged, not shown. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('AuditApi');

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<ApiRequest>();
    const response = host.switchToHttp().getResponse<Response>();
    // Nobody to answer and nothing broken: one line, no stack (the access log has the request too)
    if (error instanceof ClientGoneError) {
      this.log.warn({ msg: error.message, requestId: String(request.id) });
      return;
    }
    const body = this.bodyOf(error);
    // identifyRequest gave every request its id; this is only for one that somehow bypassed it
    request.id ??= randomUUID();
    body.requestId = String(request.id);
    if (body.statusCode === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="capflow"');
    if (body.statusCode === 503) response.setHeader('Retry-After', '1');
    if (!response.headersSent) response.status(body.statusCode).json(body);
  }

  private bodyOf(error: unknown): ErrorBody {
    if (isQueryError(error)) return { statusCode: QUERY_STATUS[error.code], code: error.code, detail: error.detail };
    // never wrong figures: the read model is refused until a replay rebuilds it (/health names it too)
    if (isUnreconciledReadModel(error)) {
      const body: ErrorBody & { readModel: string } = { statusCode: 503, code: error.code, detail: error.message, readModel: error.projection };
      return body;
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const response = error.getResponse();
      if (typeof response === 'object' && response !== null && 'code' in response) return { ...(response as ErrorBody) };
      const detail = status === 404 ? 'no such route' : status === 429 ? 'too many requests for this key: slow down' : error.message;
      return { statusCode: status, code: STATUS_CODES[status] ?? `http_${status}`, detail };
    }
    if (isEventStoreError(error, EventStoreErrorCode.StoreUnavailable)) return { statusCode: 503, code: ApiErrorCode.Unavailable, detail: error.message };
    this.log.error({ msg: 'request failed', error: (error as Error)?.stack ?? String(error) });
    return { statusCode: 500, code: ApiErrorCode.Internal, detail: 'the request failed inside capflow; its request id is in the log' };
  }
}

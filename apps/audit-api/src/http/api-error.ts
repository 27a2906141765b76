import { HttpException } from '@nestjs/common';

/** Every error body: the HTTP status, a stable code, a detail for people naming the field or rule. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  detail: string;
  requestId?: string;
}

/** Codes of the API's own refusals (the contract's rejection codes are used for refused facts). */
export enum ApiErrorCode {
  Unauthenticated = 'unauthenticated',
  InvalidKey = 'invalid_key',
  KeyInQuery = 'key_in_query',
  Forbidden = 'forbidden',
  InvalidParameter = 'invalid_parameter',
  NotFound = 'not_found',
  PayloadTooLarge = 'payload_too_large',
  RequestTimeout = 'request_timeout',
  UnsupportedMediaType = 'unsupported_media_type',
  RateLimited = 'rate_limited',
  Busy = 'busy',
  Unavailable = 'unavailable',
  Internal = 'internal_error',
}

export class ApiError extends HttpException {
  /** `extra`: fields beside the code and detail, e.g. the eventId of a refused fact. */
  constructor(status: number, code: ApiErrorCode | string, detail: string, extra: Record<string, unknown> = {}) {
    super({ statusCode: status, code, detail, ...extra } satisfies ErrorBody, status);
  }
}

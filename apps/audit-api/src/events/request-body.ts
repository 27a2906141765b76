import { ApiError, ApiErrorCode } from '../http/api-error';
import type { ApiRequest } from '../http/api-request';

/** The client went away before its body ended: nobody is left to answer, and nothing failed here. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the request before its body ended');
    this.name = 'ClientGoneError';
  }
}

/**
 * The request's body, read here rather than by a body parser, so that its bytes reach the
 * contract's parser untouched (it alone decides what is malformed) and an oversized body is
 * refused as it streams in, in the API's error shape. A body that has not ended within
 * `timeoutMs` is 408 request_timeout, and its connection is closed once that is answered: a
 * client that stops sending must not hold a connection (Node would wait 300 s).
 */
export function readBody(request: ApiRequest, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error: Error | null) => {
      clearTimeout(timer);
      request.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onClose);
      if (error === null) return resolve(Buffer.concat(chunks));
      if (error instanceof ApiError && error.getStatus() === 413) request.resume(); // drained, not kept, so the 413 is read
      if (error instanceof ApiError && error.getStatus() === 408) {
        // answered first, then the connection goes: the rest of a stalled body is never waited for
        request.res?.setHeader('Connection', 'close');
        request.res?.once('finish', () => request.destroy());
      }
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return done(tooLarge(maxBytes));
      chunks.push(chunk);
    };
    const onEnd = () => done(null);
    const onGone = () => done(new ClientGoneError());
    const onClose = () => {
      if (!request.complete) done(new ClientGoneError());
    };
    const timer = setTimeout(
      () => done(new ApiError(408, ApiErrorCode.RequestTimeout, `the body did not arrive within ${timeoutMs} ms (CAPFLOW_API_BODY_TIMEOUT_MS): the request is closed`)),
      timeoutMs,
    );
    request.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onClose);
  });
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, ApiErrorCode.PayloadTooLarge, `the body is larger than ${maxBytes} bytes (CAPFLOW_API_MAX_BODY_BYTES): send fewer facts per request`);
}

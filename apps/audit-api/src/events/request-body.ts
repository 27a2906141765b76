import { ApiError, ApiErrorCode } from '../http/api-error';
import type { ApiRequest } from '../http/api-request';

/**
 * The request's body, read here rather than by a body parser, so that its bytes reach the
 * contract's parser untouched (it alone decides what is malformed) and an oversized body is
 * refused as it streams in, in the API's error shape.
 */
export async function readBody(request: ApiRequest, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  let tooBig = false;
  // Leaving the loop must not destroy the request: that would close the socket before the 413
  for await (const chunk of request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      tooBig = true;
      break;
    }
    chunks.push(chunk);
  }
  if (tooBig) {
    request.resume(); // drain the rest without keeping it, so the 413 can be answered
    throw tooLarge(maxBytes);
  }
  return Buffer.concat(chunks);
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, ApiErrorCode.PayloadTooLarge, `the body is larger than ${maxBytes} bytes (CAPFLOW_API_MAX_BODY_BYTES): send fewer facts per request`);
}

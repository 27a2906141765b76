import { ApiError, ApiErrorCode } from './api-error';
import type { ApiRequest } from './api-request';

const MAX_VALUE_LENGTH = 256;

/**
 * The query parameters a route takes, and no others: an unknown or repeated parameter is a 400
 * naming it, so a typo (`asof=`) is never silently ignored and a report never silently unfiltered.
 */
export function queryParams<K extends string>(request: ApiRequest, allowed: readonly K[]): Partial<Record<K, string>> {
  const params: Partial<Record<K, string>> = {};
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (!(allowed as readonly string[]).includes(name)) {
      const known = allowed.length > 0 ? `: it takes ${allowed.join(', ')}` : ': it takes none';
      throw invalid(`unknown query parameter ${JSON.stringify(name.slice(0, 64))}${known}`);
    }
    if (typeof value !== 'string') throw invalid(`${name} is given more than once`);
    if (value.length > MAX_VALUE_LENGTH) throw invalid(`${name} is longer than ${MAX_VALUE_LENGTH} characters`);
    params[name as K] = value;
  }
  return params;
}

export function oneOf<T extends string>(value: string | undefined, name: string, choices: readonly T[], fallback?: T): T {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw invalid(`${name} is required: one of ${choices.join(', ')}`);
  }
  if (!(choices as readonly string[]).includes(value)) throw invalid(`${name} takes one of ${choices.join(', ')}, not ${JSON.stringify(value.slice(0, 64))}`);
  return value as T;
}

/**
 * A whole number from min to max, inclusive; max may be Number.MAX_SAFE_INTEGER (the largest
 * position a store hands out), so the digits are compared exactly, as a BigInt.
 */
export function wholeNumber(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,32}$/.test(value) || BigInt(value) < BigInt(min) || BigInt(value) > BigInt(max)) {
    const largest = max === Number.MAX_SAFE_INTEGER ? `${max} (the largest position a store holds)` : String(max);
    throw invalid(`${name} takes a whole number from ${min} to ${largest}, not ${JSON.stringify(value.slice(0, 64))}`);
  }
  return Number(value);
}

export function invalid(detail: string): ApiError {
  return new ApiError(400, ApiErrorCode.InvalidParameter, detail);
}

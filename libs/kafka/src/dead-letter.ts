import type { RejectionCode } from '@capflow/contracts';
import { InboundMessage, OutboundRecord } from './kafka-message';

/**
 * The headers capflow adds to a record it moves to the retry or dead-letter topic. Everything else
 * of the original record (key, value, other headers) is kept byte for byte.
 */
export const Header = {
  Reason: 'capflow-reason',
  Detail: 'capflow-detail',
  OriginalTopic: 'capflow-original-topic',
  OriginalPartition: 'capflow-original-partition',
  OriginalOffset: 'capflow-original-offset',
  /** Deliveries so far, the first one included. */
  Attempt: 'capflow-attempt',
  FailedAt: 'capflow-failed-at',
  /** Retry topic only: not to be delivered again before this instant. */
  NotBefore: 'capflow-not-before',
  /** Set when the original value was too large for the dead-letter topic: its size and SHA-256. */
  ValueOmitted: 'capflow-value-omitted',
} as const;

const CAPFLOW_HEADER = /^capflow-/;
const MAX_DETAIL = 1000;

/** Where a message first arrived, and how many times it has been delivered. */
export interface Delivery {
  topic: string;
  partition: number;
  offset: string;
  attempt: number;
}

/**
 * The delivery a message continues. Only records on the retry topic carry capflow's headers on
 * purpose: on any other topic they are a producer's and are not believed.
 */
export function deliveryOf(message: InboundMessage, retryTopic: string): Delivery {
  const first: Delivery = { topic: message.topic, partition: message.partition, offset: message.offset, attempt: 1 };
  if (message.topic !== retryTopic) return first;
  const topic = text(message, Header.OriginalTopic);
  const partition = wholeNumber(text(message, Header.OriginalPartition));
  const offset = text(message, Header.OriginalOffset);
  const attempt = wholeNumber(text(message, Header.Attempt));
  if (!topic || partition === null || !offset || !/^\d{1,20}$/.test(offset)) return first;
  return { topic, partition, offset, attempt: attempt !== null && attempt >= 1 ? attempt : 1 };
}

/** Epoch ms before which a retry-topic record is not due (0: due now). */
export function notBeforeOf(message: InboundMessage): number {
  const value = Date.parse(text(message, Header.NotBefore) ?? '');
  return Number.isFinite(value) ? value : 0;
}

export interface Rejection {
  reason: RejectionCode;
  detail: string;
}

/** The record that carries a message to the retry topic for another delivery. */
export function retryRecord(message: InboundMessage, delivery: Delivery, rejection: Rejection, now: Date, notBefore: Date): OutboundRecord {
  const headers = movedHeaders(message, delivery, rejection, now, delivery.attempt + 1);
  headers.set(Header.NotBefore, notBefore.toISOString());
  return { key: message.key, value: message.value, headers };
}

/** The record that parks a message in the dead-letter topic. */
export function deadLetterRecord(message: InboundMessage, delivery: Delivery, rejection: Rejection, now: Date): OutboundRecord {
  return { key: message.key, value: message.value, headers: movedHeaders(message, delivery, rejection, now, delivery.attempt) };
}

function movedHeaders(message: InboundMessage, delivery: Delivery, rejection: Rejection, now: Date, attempt: number) {
  const headers = originalHeaders(message);
  headers.set(Header.Reason, rejection.reason);
  headers.set(Header.Detail, rejection.detail.length > MAX_DETAIL ? `${rejection.detail.slice(0, MAX_DETAIL)}…` : rejection.detail);
  headers.set(Header.OriginalTopic, delivery.topic);
  headers.set(Header.OriginalPartition, String(delivery.partition));
  headers.set(Header.OriginalOffset, delivery.offset);
  headers.set(Header.Attempt, String(attempt));
  headers.set(Header.FailedAt, now.toISOString());
  return headers;
}

/** The producer's own headers: capflow's are dropped (they are re-added from the delivery). */
export function originalHeaders(message: Pick<InboundMessage, 'headers'>): Map<string, Buffer | string> {
  const headers = new Map<string, Buffer | string>();
  for (const [name, value] of message.headers) if (!CAPFLOW_HEADER.test(name)) headers.set(name, value);
  return headers;
}

/** A dead-letter record read back, for `capflow dlq`. */
export interface DeadLetter {
  /** Where it sits in the dead-letter topic. */
  partition: number;
  offset: string;
  original: { topic: string; partition: number; offset: string } | null;
  reason: string;
  detail: string;
  attempt: number;
  failedAt: string;
  valueOmitted: string | null;
  key: Buffer | null;
  value: Buffer | null;
  headers: Map<string, Buffer>;
}

export function readDeadLetter(message: InboundMessage): DeadLetter {
  const partition = wholeNumber(text(message, Header.OriginalPartition));
  const topic = text(message, Header.OriginalTopic);
  const offset = text(message, Header.OriginalOffset);
  return {
    partition: message.partition,
    offset: message.offset,
    original: topic && offset && partition !== null ? { topic, partition, offset } : null,
    reason: text(message, Header.Reason) ?? 'unknown',
    detail: text(message, Header.Detail) ?? '',
    attempt: wholeNumber(text(message, Header.Attempt)) || 1,
    failedAt: text(message, Header.FailedAt) ?? '',
    valueOmitted: text(message, Header.ValueOmitted) ?? null,
    key: message.key,
    value: message.value,
    headers: message.headers,
  };
}

function text(message: Pick<InboundMessage, 'headers'>, name: string): string | undefined {
  return message.headers.get(name)?.toString('utf8');
}

/** Decimal digits only (no '', hex, exponent or sign), as capflow writes them. */
function wholeNumber(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,9}$/.test(value)) return null;
  return Number(value);
}

import { DATA_DTO_BY_TYPE } from './dto/data';
import { EnvelopeDto } from './dto/envelope.dto';
import { CapflowEvent } from './event';
import { isEventType } from './event-type';
import { EVENT_ID_PATTERN } from './identifier';
import { Rejection, RejectionCode } from './rejection-code';
import { instantKey } from './time/instant';
import { quote, validateAgainst } from './validation/compiled-dto';

/** Larger events are a schema_violation, refused before they are parsed. */
export const MAX_EVENT_BYTES = 64 * 1024;
/** Objects and arrays nested deeper than this are a schema_violation (valid events nest 3 deep). */
export const MAX_NESTING_DEPTH = 16;
/** Keys that could reach an object's prototype: refused wherever they appear. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type ParseOutcome =
  | { ok: true; event: CapflowEvent }
  | { ok: false; rejection: Rejection; /** the input's eventId when it holds a well-formed one */ eventId: string | null };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function refuse(reason: RejectionCode, detail: string, eventId: string | null = null): ParseOutcome {
  return { ok: false, rejection: { reason, detail }, eventId };
}

/**
 * Bytes (or text) → a typed event, or the rejection the contract names for them.
 * Never throws: whatever the input, the answer is one of the two.
 */
export function parseEvent(input: Uint8Array | string): ParseOutcome {
  try {
    return parseUnguarded(input);
  } catch (error) {
    // Nothing above should throw; if it does, the input is refused rather than the process harmed.
    return refuse(RejectionCode.SchemaViolation, `the event could not be validated: ${(error as Error).message}`);
  }
}

function parseUnguarded(input: Uint8Array | string): ParseOutcome {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > MAX_EVENT_BYTES) {
    return refuse(RejectionCode.SchemaViolation, `the event is larger than ${MAX_EVENT_BYTES} bytes`);
  }
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = utf8.decode(input);
    } catch {
      return refuse(RejectionCode.MalformedJson, 'the event is not valid UTF-8');
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return refuse(RejectionCode.MalformedJson, `not valid JSON: ${(error as Error).message.slice(0, 200)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse(RejectionCode.SchemaViolation, 'the event must be a JSON object');
  }
  const hazard = findStructuralHazard(value, 1, '');
  const envelope = value as Record<string, unknown>;
  const eventId =
    typeof envelope.eventId === 'string' && EVENT_ID_PATTERN.test(envelope.eventId) ? envelope.eventId : null;
  if (hazard) return refuse(RejectionCode.SchemaViolation, hazard, eventId);

  if (typeof envelope.type === 'string' && !isEventType(envelope.type)) {
    return refuse(RejectionCode.UnknownEventType, `type ${quote(envelope.type)} names no event type`, eventId);
  }
  const envelopeProblem = validateAgainst(EnvelopeDto, envelope, '');
  if (envelopeProblem) return refuse(RejectionCode.SchemaViolation, envelopeProblem, eventId);

  const type = envelope.type as keyof typeof DATA_DTO_BY_TYPE;
  const data = envelope.data as Record<string, unknown>;
  const dataProblem = validateAgainst(DATA_DTO_BY_TYPE[type], data, 'data.');
  if (dataProblem) return refuse(RejectionCode.SchemaViolation, dataProblem, eventId);

  const crossFieldProblem = crossFieldRule(type, data);
  if (crossFieldProblem) return refuse(RejectionCode.SchemaViolation, crossFieldProblem, eventId);

  return { ok: true, event: eventOf(envelope) };
}

function eventOf(envelope: Record<string, unknown>): CapflowEvent {
  return {
    eventId: envelope.eventId as string,
    type: envelope.type,
    schemaVersion: 1,
    occurredAt: envelope.occurredAt as string,
    source: envelope.source,
    data: envelope.data,
  } as unknown as CapflowEvent;
}

/**
 * The event in bytes that parseEvent has already accepted (elsewhere: on a parsing thread), read
 * without checking them again; the same event parseEvent gave. Never call it on other bytes.
 */
export function readAcceptedEvent(input: Uint8Array | string): CapflowEvent {
  const text = typeof input === 'string' ? input : utf8.decode(input);
  return eventOf(JSON.parse(text) as Record<string, unknown>);
}

/** Depth and prototype-reaching keys, checked before any value is looked at. */
function findStructuralHazard(value: object, depth: number, path: string): string | null {
  if (depth > MAX_NESTING_DEPTH) return `${path || 'the event'} nests deeper than ${MAX_NESTING_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null) {
        const hazard = findStructuralHazard(item, depth + 1, `${path}[${i}]`);
        if (hazard) return hazard;
      }
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const at = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return `the key ${quote(key)} is not allowed (at ${at})`;
    const item: unknown = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null) {
      const hazard = findStructuralHazard(item, depth + 1, at);
      if (hazard) return hazard;
    }
  }
  return null;
}



/** The shape rules that tie two fields of one event together (*shape* in EVENTS.md). */
function crossFieldRule(type: string, data: Record<string, unknown>): string | null {
  if (type === 'ComputeCommitmentSigned') {
    if (instantKey(data.endsAt as string) <= instantKey(data.startsAt as string)) {
      return 'data.endsAt must be later than data.startsAt';
    }
  } else if (type === 'InvoiceSettled') {
    if (data.method === 'credits' && data.grantId === undefined) return 'data.grantId is required when method is credits';
    if (data.method === 'cash' && data.grantId !== undefined) return 'data.grantId is not allowed when method is cash';
  }
  return null;
}



/** The contract's rejection reasons (EVENTS.md, "Rejection reasons"). Stable codes: never rename. */
export enum RejectionCode {
  MalformedJson = 'malformed_json',
  SchemaViolation = 'schema_violation',
  UnknownEventType = 'unknown_event_type',
  EventIdConflict = 'event_id_conflict',
  UnknownReference = 'unknown_reference',
  DuplicateId = 'duplicate_id',
  CurrencyMismatch = 'currency_mismatch',
  LimitExceeded = 'limit_exceeded',
  InvalidRelationship = 'invalid_relationship',
  OccurredBeforeReference = 'occurred_before_reference',
}

export const REJECTION_CODES: readonly RejectionCode[] = Object.values(RejectionCode);

/** Exactly one code, plus a detail for people naming the field or the rule. */
export interface Rejection {
  reason: RejectionCode;
  detail: string;
}

export function rejection(reason: RejectionCode, detail: string): Rejection {
  return { reason, detail };
}

import type { RejectionCode } from '@capflow/contracts';

/** One input's answer: stored, already stored (a no-op), or refused with the contract's code. */
export type IngestOutcome =
  | { status: 'accepted'; eventId: string; position: number }
  | { status: 'duplicate'; eventId: string; position: number }
  | { status: 'rejected'; eventId: string | null; reason: RejectionCode; detail: string };

export interface IngestItem {
  /** The raw fact: bytes of one envelope (or its text). */
  input: Uint8Array | string;
  /** Provenance stored beside the fact, e.g. file and line, or Kafka coordinates. */
  metadata?: Record<string, unknown>;
}

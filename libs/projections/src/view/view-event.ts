import type { CapflowEvent } from '@capflow/contracts';

/** An accepted fact as views read it: the typed event and where it sits in both time lines. */
export interface ViewEvent {
  event: CapflowEvent;
  /** Global position: ingestion order, ties of business time. */
  position: number;
  /** Business time as an instant key (see contracts' instantKey). */
  occurredKey: string;
  /** Ledger time (ISO, UTC, ms). */
  recordedAt: string;
}

/** Business order: occurredAt, ties by global position (EVENTS.md, "Time"). */
export function businessOrder(a: ViewEvent, b: ViewEvent): number {
  if (a.occurredKey !== b.occurredKey) return a.occurredKey < b.occurredKey ? -1 : 1;
  return a.position - b.position;
}

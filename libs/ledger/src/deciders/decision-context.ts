import { CapflowEvent, Rejection, RejectionCode } from '@capflow/contracts';
import { LedgerState } from '../state/ledger-state';

/** An accepted event, as a reversal needs to see its target. */
export interface AcceptedEvent {
  event: CapflowEvent;
  streamId: string;
}

export interface DecisionContext {
  /** The instant key of the event's occurredAt. */
  occurredAt: string;
  /** An accepted event by its event key (lower-case eventId), for reversals. */
  findAccepted(eventKey: string): AcceptedEvent | undefined;
}

/** A business-rule check: null when the fact passes, else the first rule it breaks. */
export type Decider<E extends CapflowEvent> = (event: E, state: LedgerState, context: DecisionContext) => Rejection | null;

export function refuse(reason: RejectionCode, detail: string): Rejection {
  return { reason, detail };
}

export function partyProblem(state: LedgerState, partyId: string, field: string): Rejection | null {
  return state.parties.has(partyId)
    ? null
    : refuse(RejectionCode.UnknownReference, `data.${field}: party ${JSON.stringify(partyId)} is not registered`);
}

export function currencyProblem(field: string, actual: string, expected: string, of: string): Rejection | null {
  return actual === expected
    ? null
    : refuse(RejectionCode.CurrencyMismatch, `data.${field} is in ${actual} but ${of} is in ${expected}`);
}

/** occurred_before_reference, checked last: the fact may not predate what it refers to. */
export function occurredBeforeProblem(context: DecisionContext, references: [createdAt: string, what: string][]): Rejection | null {
  for (const [createdAt, what] of references) {
    if (context.occurredAt < createdAt) {
      return refuse(
        RejectionCode.OccurredBeforeReference,
        `occurredAt is earlier than the creation of ${what} (${createdAt.replace(/\.?0*Z$/, 'Z')})`,
      );
    }
  }
  return null;
}

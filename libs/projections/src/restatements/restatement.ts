import type { Policy } from '../tracing/tracer';

/** One figure that changed, as reported before and after. */
export type RestatedFigure =
  | { report: 'balances'; partyId: string; currency: string; account: string; before: string; after: string; delta: string }
  | {
      report: 'round-trips';
      /** The policy the figure belongs to; null for figures both policies share. */
      policy: Policy | null;
      investmentId: string;
      currency: string;
      field: 'fundedCash' | 'fundedCredits' | 'returnedCash' | 'returnedCapital' | 'returnedCredits';
      before: string;
      after: string;
      delta: string;
    };

/** A fact that arrived after facts with a later business time, or that reversed one. */
export interface RestatingFact {
  position: number;
  eventId: string;
  type: string;
  occurredAt: string;
  kind: 'late' | 'reversal';
  /** For a reversal, the event it voids (from the start: a reversal applies to every business time). */
  reversedEventId: string | null;
  /** The business time from which this fact restates: its own, or its target's. */
  restatedFrom: string;
  /** The balances it changed by itself. */
  balances: RestatedFigure[];
}

/**
 * What one append to the ledger restated: the facts it recorded (one ledger time) that arrived
 * after facts with a later business time, or reversed others, each with the balances it changed,
 * and the round-trip figures they changed together: the ledger with the append's other facts but
 * without these, against the ledger with all of them. Round trips are compared per append rather
 * than per fact: facts recorded together were never reported apart, and re-tracing once per
 * append keeps the cost of late facts proportional to how late they are, not to how many arrive.
 */
export interface Restatement {
  /** The position of the first restating fact: the restatement's key. */
  position: number;
  recordedAt: string;
  /** The latest business time known when the first of these facts arrived. */
  frontier: string;
  /** The earliest business time restated. */
  restatedFrom: string;
  facts: RestatingFact[];
  roundTrips: RestatedFigure[];
}

import type { Policy } from '../tracing/tracer';

/** One figure a late fact (or a reversal) changed, as reported before and after it. */
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

/**
 * A fact that changed figures already reported: it arrived after facts with a later business time
 * (late), or it reversed one (a reversal voids its target from the start). Figures compare the
 * ledger as known just before the fact with the ledger just after it, as of the latest business
 * time known when it arrived.
 */
export interface Restatement {
  position: number;
  eventId: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  kind: 'late' | 'reversal';
  /** The business time from which figures were restated (for a reversal: its target's). */
  restatedFrom: string;
  /** The latest business time known when the fact arrived. */
  frontier: string;
  reversedEventId: string | null;
  changes: RestatedFigure[];
}

import type { StoredEvent } from '@capflow/event-store';
import { LedgerView, LiveLedger, Restatement, ViewEvent, ViewFrame } from '@capflow/projections';
import type { ProjectionName } from './read-model.store';

/**
 * An in-memory state kept in step with the log, in the order facts were recorded, for some of
 * the projections. Two kinds: accounts, whose figures do not depend on order (a late fact simply
 * adds, a reversal subtracts), and tracing, whose pools must see facts in business order.
 */
export interface ProjectionEngine {
  readonly projections: readonly ProjectionName[];
  /** Applies one fact; `target`: an EventReversed's target. Returns a restatement if it caused one. */
  apply(viewEvent: ViewEvent, target: ViewEvent | undefined): Restatement | null;
  /** Brings the engine to a position from one pass in business order (reversed facts left out). */
  warm(viewEvent: ViewEvent): void;
  warmed(latest: StoredEvent | null): void;
  /** The log's head is reached: what is pending is complete (an append is read whole). */
  close(): Restatement | null;
  documents(): Map<ProjectionName, Map<string, unknown>>;
}

export const ACCOUNT_PROJECTIONS: readonly ProjectionName[] = ['balances', 'commitments', 'credits', 'flows'];
export const TRACING_PROJECTIONS: readonly ProjectionName[] = ['round-trips', 'restatements'];

/** Balances, commitments, credits and flows: no pools, so cheap whatever the order. */
export class AccountsEngine implements ProjectionEngine {
  readonly projections = ACCOUNT_PROJECTIONS;
  private readonly view: LedgerView;

  constructor(frame: ViewFrame) {
    this.view = new LedgerView(frame.groups);
  }

  apply(viewEvent: ViewEvent, target: ViewEvent | undefined): null {
    if (viewEvent.event.type === 'EventReversed') this.view.account(target!, -1n);
    else this.warm(viewEvent);
    return null;
  }

  warm(viewEvent: ViewEvent): void {
    this.view.register(viewEvent);
    this.view.account(viewEvent, 1n);
  }

  warmed(): void {}

  close(): null {
    return null;
  }

  documents(): Map<ProjectionName, Map<string, unknown>> {
    return new Map<ProjectionName, Map<string, unknown>>([
      ['balances', new Map([['balances', this.view.balancesReport(null)]])],
      ['commitments', commitmentDocuments(this.view)],
      ['credits', new Map([['credits', this.view.creditsReport(null)]])],
      ['flows', new Map([['flows', this.view.flowsReport(null)]])],
    ]);
  }
}

/** Round trips and restatements: the pools, restating when a fact arrives late (see LiveLedger). */
export class TracingEngine implements ProjectionEngine {
  readonly projections = TRACING_PROJECTIONS;
  private readonly ledger: LiveLedger;

  constructor(frame: ViewFrame) {
    this.ledger = new LiveLedger(frame.groups);
  }

  apply(viewEvent: ViewEvent, target: ViewEvent | undefined): Restatement | null {
    return this.ledger.apply(viewEvent, target);
  }

  warm(viewEvent: ViewEvent): void {
    this.ledger.warm(viewEvent);
  }

  warmed(latest: StoredEvent | null): void {
    if (latest) this.ledger.setFrontier(latest.occurredKey, latest.occurredAt);
  }

  close(): Restatement | null {
    return this.ledger.close();
  }

  documents(): Map<ProjectionName, Map<string, unknown>> {
    return new Map([['round-trips', roundTripDocuments(this.ledger.view)]]);
  }
}

/** Round trips under each policy, and the cells circular revenue is computed from. */
export function roundTripDocuments(view: LedgerView): Map<string, unknown> {
  return new Map<string, unknown>([
    ['fifo', view.roundTripsReport('fifo', null)],
    ['pro_rata', view.roundTripsReport('pro_rata', null)],
    ['circular-revenue', view.circularRevenueCells()],
  ]);
}

/** Commitments, and what deal links are computed from for any window. */
function commitmentDocuments(view: LedgerView): Map<string, unknown> {
  return new Map<string, unknown>([
    ['commitments', view.commitmentsReport(null)],
    ['deal-candidates', view.dealCandidates()],
  ]);
}

/** The report documents of one projection (not restatements), from a view that holds them. */
export function projectionDocuments(view: LedgerView, projection: Exclude<ProjectionName, 'restatements'>): Map<string, unknown> {
  switch (projection) {
    case 'balances':
      return new Map([['balances', view.balancesReport(null)]]);
    case 'round-trips':
      return roundTripDocuments(view);
    case 'commitments':
      return commitmentDocuments(view);
    case 'credits':
      return new Map([['credits', view.creditsReport(null)]]);
    case 'flows':
      return new Map([['flows', view.flowsReport(null)]]);
  }
}

export const DOCUMENT_PROJECTIONS = ['balances', 'round-trips', 'commitments', 'credits', 'flows'] as const;

/** Every report document, from a view that holds all of them. */
export function documentsOf(view: LedgerView): Map<ProjectionName, Map<string, unknown>> {
  return new Map(DOCUMENT_PROJECTIONS.map((projection) => [projection, projectionDocuments(view, projection)]));
}

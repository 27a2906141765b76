import type { CurrencyCode } from '@capflow/contracts';
import type { InvestmentInfo, Registry } from '../view/registry';
import type { UndoJournal } from './undo-journal';

export type Policy = 'fifo' | 'pro_rata';
export const POLICIES: readonly Policy[] = ['fifo', 'pro_rata'];

/** The fact that moved money, as the trace log cites it. */
export interface FlowRef {
  position: number;
  eventId: string;
  type: string;
  occurredAt: string;
}

/** How money arrived: as revenue (a settlement, a payment) or as capital (an investment). */
export type ArrivalKind = 'revenue' | 'capital';

/** Receives every movement of tagged money, for the trace log. */
export interface FlowSink {
  tagged(policy: Policy, tag: string, flow: FlowRef, fromId: string, toId: string, amount: bigint, closed: boolean): void;
}

/** Cash pools per party and currency under one attribution policy (TRACING.md). */
export interface CashTracer {
  readonly policy: Policy;
  openingBalance(partyId: string, currency: CurrencyCode, amount: bigint): void;
  /** InvestmentFunded: money leaves the investor, arrives at the investee as capital, tagged with the investment. */
  fund(investment: InvestmentInfo, amount: bigint, flow: FlowRef): void;
  /** A settlement in cash or a payment: money leaves `fromId`, arrives at `toId` as revenue. */
  pay(fromId: string, toId: string, currency: CurrencyCode, amount: bigint, flow: FlowRef): void;
  returned(investmentId: string): { cash: bigint; capital: bigint };
  /** Where each investment's tagged money is now: investment → party → amount. */
  holdings(): Map<string, Map<string, bigint>>;
}

export function poolKey(partyId: string, currency: CurrencyCode): string {
  return `${currency} ${partyId}`;
}

export function partyOfPool(key: string): string {
  return key.slice(4);
}

/** Returned amounts per investment, shared by both tracers. */
export class ReturnLedger {
  private readonly cash = new Map<string, bigint>();
  private readonly capital = new Map<string, bigint>();

  constructor(private readonly journal: UndoJournal) {}

  add(kind: ArrivalKind, tag: string, amount: bigint): void {
    const target = kind === 'revenue' ? this.cash : this.capital;
    target.set(tag, (target.get(tag) ?? 0n) + amount);
    if (this.journal.enabled) this.journal.record(() => target.set(tag, target.get(tag)! - amount));
  }

  of(tag: string): { cash: bigint; capital: bigint } {
    return { cash: this.cash.get(tag) ?? 0n, capital: this.capital.get(tag) ?? 0n };
  }
}

/** A tag closes when its money reaches the investment's investor group. */
export function closesAt(registry: Registry, tag: string, receiverGroup: string): boolean {
  return registry.investments.get(tag)!.investorGroup === receiverGroup;
}

import { formatAmount } from '@capflow/ledger';
import type { CurrencyCode } from '@capflow/contracts';
import { codePointOrder } from '../balances/balances.projection';
import type { FlowRef, FlowSink, Policy } from './tracer';

export interface TraceFlow {
  position: number;
  eventId: string;
  type: string;
  occurredAt: string;
  from: string;
  to: string;
  /** The amount carrying the investment's tag under each policy ("0.00" where a policy moved none). */
  amount: Record<Policy, string>;
  /** True under a policy when this flow brought the money home to the investor's group. */
  returned: Record<Policy, boolean>;
}

export interface TraceReport {
  asOf: string | null;
  investmentId: string;
  currency: string;
  flows: TraceFlow[];
  /** Where the tagged money is now: per policy, per party still holding it. */
  holdings: Record<Policy, { partyId: string; amount: string }[]>;
}

/** Collects the movements of one investment's tag, for its trace log. */
export class TraceLog implements FlowSink {
  private readonly flows = new Map<string, { ref: FlowRef; from: string; to: string; amount: Record<Policy, bigint>; returned: Record<Policy, boolean> }>();

  constructor(readonly investmentId: string) {}

  tagged(policy: Policy, flow: FlowRef, fromId: string, toId: string, amount: bigint, closed: boolean): void {
    const key = `${flow.position} ${fromId} ${toId}`;
    let entry = this.flows.get(key);
    if (!entry) {
      entry = { ref: flow, from: fromId, to: toId, amount: { fifo: 0n, pro_rata: 0n }, returned: { fifo: false, pro_rata: false } };
      this.flows.set(key, entry);
    }
    entry.amount[policy] += amount;
    entry.returned[policy] ||= closed;
  }

  report(currency: CurrencyCode, holdings: Record<Policy, Map<string, bigint> | undefined>, asOf: string | null): TraceReport {
    const holdingRows = (policy: Policy) =>
      [...(holdings[policy] ?? new Map<string, bigint>())]
        .filter(([, amount]) => amount !== 0n)
        .sort(([a], [b]) => codePointOrder(a, b))
        .map(([partyId, amount]) => ({ partyId, amount: formatAmount(amount, currency) }));
    return {
      asOf,
      investmentId: this.investmentId,
      currency,
      flows: [...this.flows.values()].map((entry) => ({
        position: entry.ref.position,
        eventId: entry.ref.eventId,
        type: entry.ref.type,
        occurredAt: entry.ref.occurredAt,
        from: entry.from,
        to: entry.to,
        amount: { fifo: formatAmount(entry.amount.fifo, currency), pro_rata: formatAmount(entry.amount.pro_rata, currency) },
        returned: entry.returned,
      })),
      holdings: { fifo: holdingRows('fifo'), pro_rata: holdingRows('pro_rata') },
    };
  }
}

import type { CurrencyCode } from '@capflow/contracts';
import { formatAmount } from '@capflow/ledger';
import { codePointOrder } from '../balances/balances.projection';
import { elementaryCycles } from './elementary-cycles';
import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';

/** Kinds of money that move between groups. */
export const FLOW_KINDS = ['investment_cash', 'investment_credits', 'compute_revenue', 'other_payments'] as const;
export type FlowKind = (typeof FLOW_KINDS)[number];

export interface FlowEdge {
  from: string;
  to: string;
  /** Amount per kind (only kinds that moved money). */
  kinds: Partial<Record<FlowKind, string>>;
  total: string;
}

export interface FlowCycle {
  /** The groups around the cycle, first repeated last. */
  groups: string[];
  /** The edge with the least money: no more than this went round the whole cycle. */
  weakest: { from: string; to: string; amount: string };
}

export interface CurrencyFlows {
  currency: string;
  groups: string[];
  edges: FlowEdge[];
  cycles: FlowCycle[];
  /** True when the graph has more elementary cycles than the report lists. */
  cyclesTruncated: boolean;
}

export interface FlowsReport {
  asOf: string | null;
  currencies: CurrencyFlows[];
}

export const MAX_CYCLES = 1000;

/**
 * Money moved between groups, by kind: investment cash (fundings), investment credits (grants
 * against an investment), compute revenue (settlements, in cash or credits, and compute payments)
 * and other payments. Flows within a group are not flows between groups.
 */
export class FlowGraphProjection {
  /** `currency from to` → kind → amount. */
  private readonly edges = new Map<string, Map<FlowKind, bigint>>();

  snapshot(w: SnapshotWriter): void {
    w.num(this.edges.size);
    for (const [key, kinds] of this.edges) {
      w.str(key);
      w.amounts(kinds);
    }
  }

  restoreSnapshot(r: SnapshotReader): void {
    for (let n = r.count(); n > 0; n--) this.edges.set(r.str(), r.amounts() as Map<FlowKind, bigint>);
  }

  move(currency: CurrencyCode, fromGroup: string, toGroup: string, kind: FlowKind, amount: bigint): void {
    if (fromGroup === toGroup) return;
    const key = `${currency} ${fromGroup} ${toGroup}`;
    let kinds = this.edges.get(key);
    if (!kinds) this.edges.set(key, (kinds = new Map()));
    kinds.set(kind, (kinds.get(kind) ?? 0n) + amount);
  }

  report(asOf: string | null): FlowsReport {
    const byCurrency = new Map<CurrencyCode, { from: string; to: string; kinds: Map<FlowKind, bigint>; total: bigint }[]>();
    for (const [key, kinds] of this.edges) {
      const [currency, from, to] = key.split(' ') as [CurrencyCode, string, string];
      let total = 0n;
      for (const amount of kinds.values()) total += amount;
      if (total === 0n) continue;
      const list = byCurrency.get(currency) ?? [];
      list.push({ from, to, kinds, total });
      byCurrency.set(currency, list);
    }
    const currencies = [...byCurrency.keys()].sort(codePointOrder).map((currency) => {
      const edges = byCurrency.get(currency)!.sort((a, b) => codePointOrder(a.from, b.from) || codePointOrder(a.to, b.to));
      const groups = [...new Set(edges.flatMap((edge) => [edge.from, edge.to]))].sort(codePointOrder);
      const successors = new Map<string, string[]>();
      const totals = new Map<string, bigint>();
      for (const edge of edges) {
        successors.set(edge.from, [...(successors.get(edge.from) ?? []), edge.to]);
        totals.set(`${edge.from} ${edge.to}`, edge.total);
      }
      const { cycles, truncated } = elementaryCycles(groups, successors, MAX_CYCLES);
      return {
        currency,
        groups,
        edges: edges.map((edge) => ({
          from: edge.from,
          to: edge.to,
          kinds: Object.fromEntries(
            FLOW_KINDS.filter((kind) => (edge.kinds.get(kind) ?? 0n) !== 0n).map((kind) => [kind, formatAmount(edge.kinds.get(kind)!, currency)]),
          ),
          total: formatAmount(edge.total, currency),
        })),
        cycles: cycles
          .map((cycle) => {
            let weakest = { from: cycle[0], to: cycle[1], amount: totals.get(`${cycle[0]} ${cycle[1]}`)! };
            for (let i = 1; i < cycle.length - 1; i++) {
              const amount = totals.get(`${cycle[i]} ${cycle[i + 1]}`)!;
              if (amount < weakest.amount) weakest = { from: cycle[i], to: cycle[i + 1], amount };
            }
            return { groups: cycle, weakest };
          })
          .sort((a, b) => (a.weakest.amount === b.weakest.amount ? 0 : a.weakest.amount > b.weakest.amount ? -1 : 1))
          .map((cycle) => ({ groups: cycle.groups, weakest: { ...cycle.weakest, amount: formatAmount(cycle.weakest.amount, currency) } })),
        cyclesTruncated: truncated,
      };
    });
    return { asOf, currencies };
  }
}

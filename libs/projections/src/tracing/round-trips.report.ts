import { formatAmount } from '@capflow/ledger';
import type { InvestmentInfo, Registry } from '../view/registry';
import type { CashTracer, Policy } from './tracer';
import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';

export interface RoundTripRow {
  investmentId: string;
  investorId: string;
  investorGroup: string;
  investeeId: string;
  currency: string;
  committed: string;
  fundedCash: string;
  fundedCredits: string;
  returnedCash: string;
  returnedCapital: string;
  returnedCredits: string;
  roundTripRatio: number | null;
  commitmentsToInvestorGroup: string;
}

export interface RoundTripsReport {
  policy: Policy;
  asOf: string | null;
  investments: RoundTripRow[];
}

/** Per investment, the amounts that do not depend on the policy. */
export class InvestmentFlows {
  readonly fundedCash = new Map<string, bigint>();
  readonly fundedCredits = new Map<string, bigint>();
  readonly returnedCredits = new Map<string, bigint>();

  snapshot(w: SnapshotWriter): void {
    w.amounts(this.fundedCash);
    w.amounts(this.fundedCredits);
    w.amounts(this.returnedCredits);
  }

  restoreSnapshot(r: SnapshotReader): void {
    for (const map of [this.fundedCash, this.fundedCredits, this.returnedCredits]) for (const [id, amount] of r.amounts()) map.set(id, amount);
  }

  add(map: Map<string, bigint>, investmentId: string, amount: bigint): void {
    map.set(investmentId, (map.get(investmentId) ?? 0n) + amount);
  }
}

/** (returned cash + returned credits) / (funded cash + funded credits), half up to 6 decimals. */
export function roundTripRatio(returned: bigint, funded: bigint): number | null {
  if (funded === 0n) return null;
  const millionths = (2n * returned * 1_000_000n + funded) / (2n * funded);
  return Number(millionths) / 1_000_000;
}

export function roundTripRow(
  investment: InvestmentInfo,
  flows: InvestmentFlows,
  tracer: CashTracer,
  registry: Registry,
): RoundTripRow {
  const id = investment.investmentId;
  const { currency } = investment;
  const fundedCash = flows.fundedCash.get(id) ?? 0n;
  const fundedCredits = flows.fundedCredits.get(id) ?? 0n;
  const returnedCredits = flows.returnedCredits.get(id) ?? 0n;
  const returned = tracer.returned(id);
  const commitments = registry.commitmentsTo(investment.investeeId, investment.investorGroup, currency);
  return {
    investmentId: id,
    investorId: investment.investorId,
    investorGroup: investment.investorGroup,
    investeeId: investment.investeeId,
    currency,
    committed: formatAmount(investment.committed, currency),
    fundedCash: formatAmount(fundedCash, currency),
    fundedCredits: formatAmount(fundedCredits, currency),
    returnedCash: formatAmount(returned.cash, currency),
    returnedCapital: formatAmount(returned.capital, currency),
    returnedCredits: formatAmount(returnedCredits, currency),
    roundTripRatio: roundTripRatio(returned.cash + returnedCredits, fundedCash + fundedCredits),
    commitmentsToInvestorGroup: formatAmount(commitments, currency),
  };
}

import type { CurrencyCode } from '@capflow/contracts';
import { formatAmount } from '@capflow/ledger';
import type { Registry } from '../view/registry';
import { codePointOrder } from '../balances/balances.projection';
import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';

export interface CommitmentRow {
  commitmentId: string;
  customerId: string;
  providerId: string;
  providerGroup: string;
  currency: string;
  committed: string;
  /** Usage billed against this commitment. */
  billed: string;
  /** committed − billed, never below zero: the provider's remaining performance obligation. */
  remaining: string;
  /** Billed beyond the commitment, if any. */
  billedBeyond: string;
  startsAt: string;
  endsAt: string;
}

export interface ProviderBacklogRow {
  providerId: string;
  currency: string;
  committed: string;
  billed: string;
  /** The provider's backlog (RPO): the sum of its commitments' remaining amounts. */
  remaining: string;
  commitments: number;
}

export interface InvestmentCommitmentsRow {
  investmentId: string;
  investorGroup: string;
  investeeId: string;
  currency: string;
  /** The investee's commitments to providers in the investor's group. */
  commitmentIds: string[];
  committed: string;
  billed: string;
  remaining: string;
}

export interface CommitmentsReport {
  asOf: string | null;
  commitments: CommitmentRow[];
  providers: ProviderBacklogRow[];
  investments: InvestmentCommitmentsRow[];
}

/** Usage billed against each compute commitment (commitments themselves are in the registry). */
export class CommitmentsProjection {
  private readonly billed = new Map<string, bigint>();

  snapshot(w: SnapshotWriter): void {
    w.amounts(this.billed);
  }

  restoreSnapshot(r: SnapshotReader): void {
    for (const [id, amount] of r.amounts()) this.billed.set(id, amount);
  }

  bill(commitmentId: string, amount: bigint): void {
    this.billed.set(commitmentId, (this.billed.get(commitmentId) ?? 0n) + amount);
  }

  report(registry: Registry, asOf: string | null): CommitmentsReport {
    const commitments = [...registry.commitments.values()].sort((a, b) => codePointOrder(a.commitmentId, b.commitmentId));
    const providers = new Map<string, { providerId: string; currency: CurrencyCode; committed: bigint; billed: bigint; remaining: bigint; count: number }>();
    const rows = commitments.map((commitment) => {
      const billed = this.billed.get(commitment.commitmentId) ?? 0n;
      const remaining = commitment.amount > billed ? commitment.amount - billed : 0n;
      const key = `${commitment.providerId} ${commitment.currency}`;
      const provider = providers.get(key) ?? { providerId: commitment.providerId, currency: commitment.currency, committed: 0n, billed: 0n, remaining: 0n, count: 0 };
      provider.committed += commitment.amount;
      provider.billed += billed;
      provider.remaining += remaining;
      provider.count += 1;
      providers.set(key, provider);
      return {
        commitmentId: commitment.commitmentId,
        customerId: commitment.customerId,
        providerId: commitment.providerId,
        providerGroup: registry.groupOf(commitment.providerId),
        currency: commitment.currency,
        committed: formatAmount(commitment.amount, commitment.currency),
        billed: formatAmount(billed, commitment.currency),
        remaining: formatAmount(remaining, commitment.currency),
        billedBeyond: formatAmount(billed > commitment.amount ? billed - commitment.amount : 0n, commitment.currency),
        startsAt: commitment.startsAt,
        endsAt: commitment.endsAt,
      };
    });
    const investments = [...registry.investments.values()]
      .sort((a, b) => codePointOrder(a.investmentId, b.investmentId))
      .map((investment) => {
        const backToInvestor = (registry.commitmentsByCustomer.get(investment.investeeId) ?? []).filter(
          (c) => c.currency === investment.currency && registry.groupOf(c.providerId) === investment.investorGroup,
        );
        let committed = 0n;
        let billed = 0n;
        let remaining = 0n;
        for (const commitment of backToInvestor) {
          const used = this.billed.get(commitment.commitmentId) ?? 0n;
          committed += commitment.amount;
          billed += used;
          remaining += commitment.amount > used ? commitment.amount - used : 0n;
        }
        return {
          investmentId: investment.investmentId,
          investorGroup: investment.investorGroup,
          investeeId: investment.investeeId,
          currency: investment.currency,
          commitmentIds: backToInvestor.map((c) => c.commitmentId).sort(codePointOrder),
          committed: formatAmount(committed, investment.currency),
          billed: formatAmount(billed, investment.currency),
          remaining: formatAmount(remaining, investment.currency),
        };
      });
    return {
      asOf,
      commitments: rows,
      providers: [...providers.values()]
        .sort((a, b) => codePointOrder(a.providerId, b.providerId) || codePointOrder(a.currency, b.currency))
        .map((p) => ({
          providerId: p.providerId,
          currency: p.currency,
          committed: formatAmount(p.committed, p.currency),
          billed: formatAmount(p.billed, p.currency),
          remaining: formatAmount(p.remaining, p.currency),
          commitments: p.count,
        })),
      investments,
    };
  }
}

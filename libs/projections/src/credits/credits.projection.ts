import { formatAmount } from '@capflow/ledger';
import type { Registry } from '../view/registry';
import { codePointOrder } from '../balances/balances.projection';
import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';

export interface GrantRow {
  grantId: string;
  providerId: string;
  recipientId: string;
  investmentId: string | null;
  currency: string;
  granted: string;
  /** Settled with the grant. */
  used: string;
  expired: string;
  remaining: string;
  expiresAt: string | null;
}

export interface CreditsReport {
  asOf: string | null;
  grants: GrantRow[];
}

/** Per grant: used (settlements with it) and expired, not counting reversed events. */
export class CreditsProjection {
  private readonly used = new Map<string, bigint>();
  private readonly expired = new Map<string, bigint>();

  snapshot(w: SnapshotWriter): void {
    w.amounts(this.used);
    w.amounts(this.expired);
  }

  restoreSnapshot(r: SnapshotReader): void {
    for (const [id, amount] of r.amounts()) this.used.set(id, amount);
    for (const [id, amount] of r.amounts()) this.expired.set(id, amount);
  }

  use(grantId: string, amount: bigint): void {
    this.used.set(grantId, (this.used.get(grantId) ?? 0n) + amount);
  }

  expire(grantId: string, amount: bigint): void {
    this.expired.set(grantId, (this.expired.get(grantId) ?? 0n) + amount);
  }

  report(registry: Registry, asOf: string | null): CreditsReport {
    const grants = [...registry.grants.values()]
      .sort((a, b) => codePointOrder(a.grantId, b.grantId))
      .map((grant) => {
        const used = this.used.get(grant.grantId) ?? 0n;
        const expired = this.expired.get(grant.grantId) ?? 0n;
        return {
          grantId: grant.grantId,
          providerId: grant.providerId,
          recipientId: grant.recipientId,
          investmentId: grant.investmentId ?? null,
          currency: grant.currency,
          granted: formatAmount(grant.granted, grant.currency),
          used: formatAmount(used, grant.currency),
          expired: formatAmount(expired, grant.currency),
          remaining: formatAmount(grant.granted - used - expired, grant.currency),
          expiresAt: grant.expiresAt ?? null,
        };
      });
    return { asOf, grants };
  }
}
